#!/usr/bin/env bash
# Regenerates the README's screenshots (screenshots/*.png) from the real
# megatui binary: each shot runs the binary in its own tmux server of a fixed
# size, drives it with send-keys, waits until the screen shows what the shot
# is about, captures it with colours (capture-pane -p -e) and renders the
# capture to PNG with ./screenshots/render.
#
# Usage: screenshots/generate.sh [SHOT...]
#   SHOT is one of: two-pane transfers transfer-groups duplicates dedupe
#   help login viewer folder-sizes space quick-look
#   (default: all). Environment: SHOT_COLS, SHOT_ROWS (screen size,
#   default 140x40), SHOT_TIMEOUT (seconds to wait for a screen, default 30),
#   SHOT_KEEP=1 keeps the work folder and the .ansi captures for debugging.
#
# Needs: go, tmux, flock. Installs fonts-noto-cjk (CJK glyphs) and
# fonts-symbola (emoji) with apt-get when run as root and they are missing;
# otherwise those glyphs render as boxes.
# Accounts are local (megatui --demo, or megatui sim) with passwords made up
# for this run; no real account, config or keyring is touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/screenshots"
COLS=${SHOT_COLS:-140}
ROWS=${SHOT_ROWS:-40}
TIMEOUT=${SHOT_TIMEOUT:-30}
ALL_SHOTS=(two-pane transfers transfer-groups duplicates dedupe help login viewer folder-sizes space quick-look)

# A fixed work folder: the local pane's title shows its path, so a fixed
# path keeps the images the same from run to run. A lock keeps two runs
# from sharing it.
WORK=${TMPDIR:-/tmp}/megatui-shots
LOCK=${TMPDIR:-/tmp}/megatui-shots.lock

die() {
	echo "generate.sh: $*" >&2
	exit 1
}
log() { echo "generate.sh: $*" >&2; }

command -v go >/dev/null || die "go is required"
command -v tmux >/dev/null || die "tmux is required (apt-get install tmux)"
command -v flock >/dev/null || die "flock is required (util-linux)"

# Nothing from the caller's environment may point the binary at a real
# account, config, keyring or log.
unset MEGATUI_CONFIG MEGATUI_USER MEGATUI_PASSWORD MEGATUI_API_URL MEGATUI_DEBUG \
	MEGASIM_PASSWORD RCLONE_CONFIG NO_COLOR TMUX

exec 9>"$LOCK"
flock -n 9 || die "another generate.sh is running (lock $LOCK)"

SOCKET=""  # tmux socket of the current shot
SIM_PID="" # megatui sim of the current shot

stop_shot() {
	if [[ -n $SOCKET ]]; then
		tmux -S "$SOCKET" kill-server 2>/dev/null || true
		rm -f "$SOCKET"
		SOCKET=""
	fi
	if [[ -n $SIM_PID ]]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
		SIM_PID=""
	fi
}

cleanup() {
	local rc=$?
	stop_shot
	if [[ ${SHOT_KEEP:-0} == 1 ]]; then
		log "kept $WORK"
	else
		rm -rf "${WORK:?}"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# install_fonts installs the fallback fonts the renderer uses for CJK names
# (fonts-noto-cjk) and for emoji and symbols (fonts-symbola), when run as
# root on a system with apt-get; otherwise it carries on quietly and those
# glyphs render as boxes.
install_fonts() {
	local want=()
	[[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]] || want+=(fonts-noto-cjk)
	[[ -e /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ]] || want+=(fonts-symbola)
	if ((${#want[@]} == 0)) || [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
		return 0
	fi
	log "installing ${want[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 ||
			log "could not install ${want[*]}; some glyphs will render as boxes"
	fi
}

# fresh_env resets the private HOME and XDG folders every shot uses.
fresh_env() {
	unset MEGATUI_CONFIG PW
	rm -rf "${WORK:?}/home" "${WORK:?}/xdg"
	mkdir -p "$WORK/home" "$WORK/xdg/config" "$WORK/xdg/cache" "$WORK/xdg/data" "$WORK/xdg/state"
	chmod 700 "$WORK/home" "$WORK/xdg"
}

# start_tui NAME ARGS... starts the binary in a new tmux server of
# COLS×ROWS. The environment comes from this shell (tmux passes its own
# environment to the pane), so nothing secret appears in any argument.
start_tui() {
	local name=$1
	shift
	SOCKET="$WORK/tmux-$name.sock"
	HOME="$WORK/home" \
		XDG_CONFIG_HOME="$WORK/xdg/config" XDG_CACHE_HOME="$WORK/xdg/cache" \
		XDG_DATA_HOME="$WORK/xdg/data" XDG_STATE_HOME="$WORK/xdg/state" \
		MEGATUI_KEYRING=off TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		tmux -S "$SOCKET" -f /dev/null new-session -d -x "$COLS" -y "$ROWS" -c "$WORK" \
		"$BIN" "$@"
	tmux -S "$SOCKET" set-option -g status off >/dev/null
	tmux -S "$SOCKET" set-option -g remain-on-exit on >/dev/null
	tmux -S "$SOCKET" resize-window -x "$COLS" -y "$ROWS" 2>/dev/null || true
}

screen() { tmux -S "$SOCKET" capture-pane -p -t 0; }

# wait_for TEXT... waits until the screen shows every TEXT (fixed strings),
# or fails the script after TIMEOUT seconds with the screen it saw.
wait_for() {
	local deadline=$((SECONDS + TIMEOUT)) s t ok
	while :; do
		s=$(screen 2>/dev/null || true)
		ok=1
		for t in "$@"; do
			if [[ $s != *"$t"* ]]; then
				ok=0
				break
			fi
		done
		if [[ $ok == 1 ]]; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			printf '%s\n' "$s" >&2
			die "timed out after ${TIMEOUT}s waiting for: $*"
		fi
		sleep 0.2
	done
}

# wait_re REGEX waits until the screen matches the extended regex.
wait_re() {
	local deadline=$((SECONDS + TIMEOUT)) s
	while :; do
		s=$(screen 2>/dev/null || true)
		if grep -Eq -- "$1" <<<"$s"; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			printf '%s\n' "$s" >&2
			die "timed out after ${TIMEOUT}s waiting for /$1/"
		fi
		sleep 0.2
	done
}

keys() {
	tmux -S "$SOCKET" send-keys -t 0 "$@"
	sleep 0.3
}

# settle waits until the screen has not changed for a short while (the
# cursor and spinners stop moving between key presses).
settle() {
	local prev="" cur
	for _ in $(seq 1 25); do
		cur=$(screen)
		if [[ $cur == "$prev" ]]; then
			return 0
		fi
		prev=$cur
		sleep 0.2
	done
}

# shoot NAME captures the screen with colours and renders NAME.png.
shoot() {
	local name=$1 ansi="$WORK/$1.ansi"
	tmux -S "$SOCKET" capture-pane -p -e -t 0 >"$ansi"
	# The capture must hold no secret: the passwords of this run are random,
	# and the screen must not show them in any case.
	if [[ -n ${PW:-} ]] && grep -qF -- "$PW" "$ansi"; then
		die "$name: the screen shows the password"
	fi
	"$RENDER" -cols "$COLS" -rows "$ROWS" -o "$OUT/$name.png" <"$ansi"
	log "wrote screenshots/$name.png"
}

# start_sim [FLAGS...] starts `megatui sim` with the demo data for the
# account demo@megatui.invalid and sets API_URL. The password is in PW
# (made up here) and reaches the sim through its environment only.
start_sim() {
	PW=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	: >"$WORK/sim.out"
	MEGASIM_PASSWORD="$PW" "$BIN" sim --user demo@megatui.invalid --demo-data "$@" \
		>"$WORK/sim.out" 2>"$WORK/sim.err" &
	SIM_PID=$!
	# Seeding the demo data goes through the (slowed) data URLs: allow more.
	local deadline=$((SECONDS + 4 * TIMEOUT))
	until grep -q '^MEGA_API_URL=' "$WORK/sim.out"; do
		kill -0 "$SIM_PID" 2>/dev/null || die "megatui sim exited: $(cat "$WORK/sim.err")"
		((SECONDS < deadline)) || die "megatui sim did not start within $((4 * TIMEOUT))s"
		sleep 0.2
	done
	API_URL=$(sed -n 's/^MEGA_API_URL=//p' "$WORK/sim.out")
	cat >"$WORK/xdg/config/config.toml" <<EOF
[transfers]
transfers = ${SHOT_TRANSFERS:-3}
bwlimit = "${SHOT_BWLIMIT:-off}"

[[remote]]
name = "mega"
email = "demo@megatui.invalid"
api_url = "$API_URL"
EOF
	export MEGATUI_CONFIG="$WORK/xdg/config/config.toml"
}

# --- the shots -------------------------------------------------------------

# The demo's panes: local sandbox (data/ images/ notes/ projects/
# README.txt) and the MEGA root (Backups/ Documents/ Duplicates/ Many files/
# Music/ Photos/ Projects/ Videos/).
start_demo() {
	fresh_env
	start_tui "$1" --demo
	wait_for "Duplicates/" "README.txt" "1/8"
}

# open_duplicates moves the focus to the MEGA pane and opens /Duplicates.
open_duplicates() {
	keys Tab
	keys j j Enter
	wait_for ":/Duplicates" "identical" "name clash"
}

shot_two_pane() {
	start_demo two-pane
	# Local: into notes/, mark two files.
	keys j j Enter
	wait_for "日本語のメモ.txt"
	keys j Space Space
	# MEGA: into Documents/, onto a Unicode name.
	keys Tab
	keys j Enter
	wait_for "Résumé.pdf"
	keys j j j j j
	settle
	shoot two-pane
	stop_shot
}

shot_duplicates() {
	start_demo duplicates
	open_duplicates
	# Onto the first identical report.pdf.
	keys j j j j j j j j j j j j j j
	settle
	shoot duplicates
	stop_shot
}

shot_dedupe() {
	start_demo dedupe
	open_duplicates
	keys d
	wait_for "Find duplicates in"
	keys Enter
	wait_for "Group 1 of" "keep this one"
	keys j
	settle
	shoot dedupe
	stop_shot
}

shot_help() {
	start_demo help
	keys Tab
	keys j j Enter
	wait_for ":/Duplicates"
	keys '?'
	wait_for "megatui keys" "Navigation" "Duplicates"
	settle
	shoot help
	stop_shot
}

# transfers: uploads of a few larger local files to a sim whose data
# requests are slowed down, captured while the bars are part-way.
shot_transfers() {
	fresh_env
	local up="$WORK/home/Uploads" f size
	mkdir -p "$up"
	for f in "holiday 2025.mp4:24:1" "photos-2025.zip:16:2" "podcast #42.mp3:12:3" "dataset.csv:8:4" "slides.pdf:6:5" "backup.tar:20:6"; do
		IFS=: read -r name size day <<<"$f"
		head -c "$((size << 20))" /dev/urandom >"$up/$name"
		touch -d "2025-05-0${day}T10:30:00" "$up/$name"
	done
	# Slow data URLs and a bandwidth limit keep the bars part-way long
	# enough to capture them.
	SHOT_BWLIMIT=${SHOT_BWLIMIT:-6M} start_sim --data-latency "${SHOT_DATA_LATENCY:-80ms}"
	MEGATUI_PASSWORD="$PW" start_tui transfers "$up"
	wait_for "Uploads" "Backups/" "dataset.csv"
	# Select every local file and copy them to the MEGA root.
	keys C-a
	keys F5
	wait_for "Copy"
	settle
	keys Enter
	# Queueing opens the transfer panel by itself.
	wait_for "queued copy of 6" "ETA"
	# Part-way: wait until some job is past a quarter.
	wait_re '(^|[^0-9])([3-8][0-9])%'
	sleep 0.5
	shoot transfers
	stop_shot
}

# transfer-groups: a folder copy of the demo's "Many files" (10,000 small
# files) is one row in the transfer panel, with the whole folder's
# progress.
shot_transfer_groups() {
	start_demo transfer-groups
	keys Tab
	keys j j j
	wait_for "Many files/"
	keys F5
	wait_for 'Copy "Many files"'
	keys Enter
	wait_for "queued copy of 1"
	keys t
	wait_re '▸ Many files/ \(([0-9]+) files\)'
	sleep 1
	settle
	shoot transfer-groups
	stop_shot
}

# viewer: F3 on the demo's Documents/README.txt in MEGA, read by ranges.
shot_viewer() {
	start_demo viewer
	keys Tab
	keys j Enter
	wait_for ":/Documents" "README.txt"
	keys /
	tmux -S "$SOCKET" send-keys -t 0 -l "README"
	keys Enter
	keys F3
	wait_for "README.txt ·" "Welcome to the megatui demo"
	settle
	shoot viewer
	stop_shot
}

# folder-sizes: the MEGA root with each folder's size from the node tree,
# sorted by size, largest first.
shot_folder_sizes() {
	start_demo folder-sizes
	keys Tab
	keys s
	keys S
	wait_re 'Many files/ +[0-9.]+ [KMG]iB'
	settle
	shoot folder-sizes
	stop_shot
}

# space: the ncdu-style space view of the demo account, Rubbish Bin
# included.
shot_space() {
	start_demo space
	keys Tab
	keys z
	wait_re 'Space used in .*· [0-9.]+ [KMG]iB'
	wait_for "Many files/"
	settle
	shoot space
	stop_shot
}

# quick-look: the MEGA pane's cursor file shown in the local pane's place.
shot_quick_look() {
	start_demo quick-look
	keys Tab
	keys j Enter
	wait_for ":/Documents" "README.txt"
	keys /
	tmux -S "$SOCKET" send-keys -t 0 -l "README"
	keys Enter
	keys Q
	wait_for "quick look" "Welcome to the megatui demo"
	settle
	shoot quick-look
	stop_shot
}

# login: the login form of a remote without a stored session (the sim is
# real, so the form would log in), with a password typed (masked).
shot_login() {
	fresh_env
	mkdir -p "$WORK/home/Documents" "$WORK/home/Downloads" "$WORK/home/Music" "$WORK/home/Pictures"
	printf 'things to back up to MEGA\n' >"$WORK/home/notes.txt"
	touch -d 2025-05-01T10:30:00 "$WORK/home/notes.txt" "$WORK/home"/*/
	start_sim
	start_tui login "$WORK/home"
	wait_for "Log in to"
	settle
	# Type a password: it shows only as mask characters.
	tmux -S "$SOCKET" send-keys -t 0 -l "$PW"
	sleep 0.5
	settle
	shoot login
	stop_shot
}

# --- main --------------------------------------------------------------------

shots=("$@")
if ((${#shots[@]} == 0)); then
	shots=("${ALL_SHOTS[@]}")
fi
for s in "${shots[@]}"; do
	[[ " ${ALL_SHOTS[*]} " == *" $s "* ]] || die "unknown shot $s (known: ${ALL_SHOTS[*]})"
done

install_fonts
rm -rf "${WORK:?}"
mkdir -p "$WORK/bin"
chmod 700 "$WORK"
BIN="$WORK/bin/megatui"
RENDER="$WORK/bin/render"
log "building megatui and the renderer"
(cd "$ROOT" && go build -o "$BIN" . && go build -o "$RENDER" ./screenshots/render)

for s in "${shots[@]}"; do
	log "shot $s"
	"shot_${s//-/_}"
done
