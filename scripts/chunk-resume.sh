#!/usr/bin/env bash
# Kill -9 a `megatui copy` at 60 % of a 200 MiB upload, and of its download,
# run the same command again, and show that it went on from its last chunk:
# the journal's "resumed" record, the bytes megasim received or served on the
# second run (summed from its verbose log), a byte-identical result, one node.
#
#   scripts/chunk-resume.sh [SIZE_MiB]      (default 200)
#
# Everything runs against a `megatui sim` subprocess in a temporary folder;
# no real account, config or keyring is touched.
set -euo pipefail

size_mib=${1:-200}
size=$((size_mib << 20))
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building megatui..."
(cd "$root" && go build -o "$work/megatui" .)
bin=$work/megatui

export HOME=$work/home XDG_CONFIG_HOME=$work/home/config XDG_STATE_HOME=$work/home/state XDG_CACHE_HOME=$work/home/cache
mkdir -p "$HOME"
export MEGATUI_KEYRING=off MEGATUI_USER=resume@example.com MEGATUI_PASSWORD=resume-demo-password
export MEGASIM_PASSWORD=$MEGATUI_PASSWORD

"$bin" sim --user "$MEGATUI_USER" --verbose >"$work/sim.out" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q '^MEGA_API_URL=' "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
export MEGATUI_API_URL=$(sed -n 's/^MEGA_API_URL=//p' "$work/sim.out")
echo "megasim at $MEGATUI_API_URL"

head -c "$size" /dev/urandom >"$work/big.bin"
journal_dir=$XDG_STATE_HOME/megatui

# bytes KIND: the content bytes megasim received ("upload piece") or served
# ("download range") so far.
bytes() {
	grep -o "megasim: $1 [^(]*(\([0-9]*\) bytes)" "$work/sim.log" | sed 's/.*(\([0-9]*\) bytes)/\1/' | awk '{s+=$1} END {print s+0}'
}

# done_bytes: the bytes the copy has finished, by its journal's chunk
# records (what its progress shows).
done_bytes() {
	cat "$journal_dir"/copy-*.jsonl 2>/dev/null | grep -o '"len":[0-9]*' | sed 's/"len"://' | awk '{s+=$1} END {print s+0}'
}

# run_killed KIND ARGS...: starts the copy, kills it with SIGKILL once it
# has finished 60 % of the file.
run_killed() {
	local kind=$1
	shift
	"$bin" copy --bwlimit 60M "$@" >"$work/run1.out" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(done_bytes)" -ge $((size * 6 / 10)) ]; then
			kill -9 "$pid"
			break
		fi
		sleep 0.02
	done
	wait "$pid" 2>/dev/null || true
	sleep 0.3 # pieces already in socket buffers still land
	echo "  killed at $(($(done_bytes) * 100 / size)) % done ($(bytes "$kind") bytes moved by megasim)"
}

# run_again KIND ARGS...: runs the same command to the end, copying the
# journal while it runs (a finished copy removes it).
run_again() {
	local kind=$1
	shift
	local before
	before=$(bytes "$kind")
	"$bin" copy --bwlimit 60M "$@" >"$work/run2.out" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		# A finished copy removes its journal: keep the last copy that
		# holds the resume record.
		if cat "$journal_dir"/copy-*.jsonl >"$work/journal.now" 2>/dev/null && grep -q '"resumed"' "$work/journal.now"; then
			cp "$work/journal.now" "$work/journal.copy"
		fi
		sleep 0.05
	done
	wait "$pid"
	local again=$(($(bytes "$kind") - before))
	echo "  second run: $(head -1 "$work/run2.out")"
	echo "  journal: $(grep -o '"resumed":[0-9]*' "$work/journal.copy" 2>/dev/null | tail -1) (bytes kept from the first run)"
	echo "  transferred again: $again bytes = $((again * 100 / size)) % of the file (limit 45 %)"
	[ $((again * 100)) -le $((size * 45)) ] || { echo "FAIL: more than 45 % transferred again"; exit 1; }
}

echo "upload of $size_mib MiB:"
run_killed "upload piece" "$work/big.bin" mega:/
run_again "upload piece" "$work/big.bin" mega:/
nodes=$("$bin" ls mega:/ | grep -c 'big.bin' || true)
echo "  nodes called big.bin: $nodes"
[ "$nodes" = 1 ] || { echo "FAIL: want one node"; exit 1; }

echo "download of $size_mib MiB:"
mkdir -p "$work/down"
run_killed "download range" mega:/big.bin "$work/down/"
ls -a "$work/down" | grep -q partial && echo "  partial file kept: $(ls -a "$work/down" | grep partial)"
run_again "download range" mega:/big.bin "$work/down/"
cmp "$work/big.bin" "$work/down/big.bin" && echo "  downloaded file is byte-identical"
echo "OK"
