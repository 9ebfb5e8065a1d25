package transfer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/nobodytest"
	"github.com/megatui/megatui/model"
)

func TestSourceTruncatedDuringUploadRetriedOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		truncates int32 // uploads during which the source shrinks
		want      model.State
	}{
		{"once: the retry copies the file as it is now", 1, model.StateDone},
		{"every time: the file fails", 100, model.StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "growing.log")
			if err := os.WriteFile(p, make([]byte, 100_000), 0o644); err != nil {
				t.Fatal(err)
			}
			rem := newFakeRemote()
			var n atomic.Int32
			rem.uploadHook = func(string) {
				if n.Add(1) <= tc.truncates {
					fi, _ := os.Stat(p)
					if err := os.Truncate(p, fi.Size()/2); err != nil {
						t.Error(err)
					}
				}
			}
			e := start(t, Options{Remote: rem})
			if _, err := e.Enqueue(uploadReq(p, rem.nodes[rem.root].entry)); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			j := e.Snapshot()[0]
			if j.State != tc.want {
				t.Fatalf("state %s (%s), want %s", j.State, j.Err, tc.want)
			}
			fi, _ := os.Stat(p)
			switch tc.want {
			case model.StateDone:
				if j.Size != fi.Size() || j.Attempts != 2 {
					t.Fatalf("size %d after %d attempts, want %d (the file as it is now) after 2", j.Size, j.Attempts, fi.Size())
				}
				if tot := e.Totals(); tot.BytesDone != fi.Size() {
					t.Fatalf("summary bytes %d, want %d", tot.BytesDone, fi.Size())
				}
			default:
				if !strings.Contains(j.Err, "changed during upload") || !strings.Contains(j.Err, "not uploaded") || j.Attempts != 2 {
					t.Fatalf("err %q after %d attempts, want a change reported after 2", j.Err, j.Attempts)
				}
			}
			// Nothing stored from a file that changed under the reads.
			for _, nd := range rem.nodes {
				if nd.entry.Kind == model.KindFile && nd.parent != rem.rubbish && int64(len(nd.data)) != fi.Size() {
					t.Fatalf("a %d-byte node is stored for a %d-byte file", len(nd.data), fi.Size())
				}
			}
		})
	}
}

func TestClassifyLocalFaults(t *testing.T) {
	t.Parallel()
	full := translateLocal(&os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC})
	if !strings.Contains(failReason(full), "local disk full") || classify(full) != classPermanent {
		t.Fatalf("disk full: class %d, reason %q", classify(full), failReason(full))
	}
	denied := translateLocal(&os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES})
	if classify(denied) != classPermanent {
		t.Fatalf("permission denied is retried (class %d)", classify(denied))
	}
	reset := &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}
	if classify(reset) != classTransient {
		t.Fatalf("connection reset not retried")
	}
}

// TestUnreadableFileFailsThatFile runs as the user nobody (root reads
// everything): one unreadable file fails at once, the others copy.
func TestUnreadableFileFailsThatFile(t *testing.T) {
	if os.Getuid() == 0 {
		nobodytest.Rerun(t, "TestUnreadableFileFailsThatFile")
		return
	}
	t.Parallel()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.txt", "secret.txt", "z.txt"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(src, "secret.txt"), 0); err != nil {
		t.Fatal(err)
	}
	rem := newFakeRemote()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(uploadReq(src, rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	for _, j := range e.Snapshot() {
		name := filepath.Base(j.Src.Display)
		switch {
		case name == "secret.txt":
			if j.State != model.StateFailed || !strings.Contains(j.Err, "permission denied") || j.Attempts != 1 {
				t.Errorf("secret.txt: %s %q after %d attempts, want failed at once, permission denied", j.State, j.Err, j.Attempts)
			}
		case j.State != model.StateDone:
			t.Errorf("%s: %s %s", name, j.State, j.Err)
		}
	}
	if tot := e.Totals(); tot.ByState[model.StateDone] != 2 || tot.BytesDone != int64(len("a.txt")+len("z.txt")) {
		t.Errorf("totals: %d done, %d bytes; want 2 done, %d bytes", tot.ByState[model.StateDone], tot.BytesDone, len("a.txt")+len("z.txt"))
	}
}

// TestDiskFullHasItsOwnMessage downloads onto a small tmpfs (root only:
// it mounts one).
func TestDiskFullHasItsOwnMessage(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	t.Parallel()
	dst := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dst).CombinedOutput(); err != nil {
		if os.Getenv("MEGATUI_REQUIRE_ALL") == "1" {
			t.Fatalf("mount tmpfs: %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dst).Run() })
	rem := newFakeRemote()
	big := rem.fileAt(rem.root, "big.bin", make([]byte, 1<<20), time.Unix(1700000000, 0))
	small := rem.fileAt(rem.root, "small.bin", []byte("fits"), time.Unix(1700000000, 0))
	e := start(t, Options{Remote: rem, Workers: 1})
	for _, f := range []model.Entry{big, small} {
		if _, err := e.Enqueue(downloadReq(f, dst)); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, e)
	for _, j := range e.Snapshot() {
		switch name := j.Src.Display; {
		case strings.HasSuffix(name, "big.bin"):
			if j.State != model.StateFailed || !strings.HasPrefix(j.Err, "local disk full") || strings.Contains(j.Err, "unreachable") || j.Attempts != 1 {
				t.Errorf("big.bin: %s %q after %d attempts, want failed at once as disk full", j.State, j.Err, j.Attempts)
			}
		case strings.HasSuffix(name, "small.bin"):
			if j.State != model.StateDone {
				t.Errorf("small.bin: %s %s", j.State, j.Err)
			}
		}
	}
	ents, _ := os.ReadDir(dst)
	for _, de := range ents {
		if IsPartialName(de.Name()) {
			t.Errorf("partial file %s left on the full disk", de.Name())
		}
	}
}

func TestBadReplyRetriedAndShownForWhatItIs(t *testing.T) {
	t.Parallel()
	bad := fmt.Errorf("download: %w: download URL: empty (%w)", model.ErrInvalidReply, model.ErrTryAgain)
	p := RetryPolicy{}.withDefaults()
	c := classify(bad)
	if !p.retryable(1, c) || p.retryable(p.MaxAttempts, c) {
		t.Fatalf("a bad URL: retryable on attempt 1 %v, on the last %v; want bounded retries", p.retryable(1, c), p.retryable(p.MaxAttempts, c))
	}
	if got, want := waitReason(c, 2*time.Second), "invalid reply from the server, retry in 2 s"; got != want {
		t.Fatalf("wait reason %q, want %q", got, want)
	}
	if classify(fmt.Errorf("download: %w: download size 9 for a file of 3 bytes", model.ErrInvalidReply)) != classPermanent {
		t.Fatal("a wrong size claim is retried")
	}
}
