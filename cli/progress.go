package cli

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// progress prints transfer statistics: with -P on a terminal a live
// block redrawn in place (transferred, speed, ETA, files, and the active
// transfers), otherwise a plain line every --stats interval (every
// second with -P).
type progress struct {
	w        io.Writer
	live     bool
	every    time.Duration
	start    time.Time
	mu       sync.Mutex
	last     time.Time
	lines    int
	disabled bool
	quota    quotaWatch
}

func newProgress(g *globals, stderr io.Writer) *progress {
	p := &progress{w: stderr, start: time.Now()}
	switch {
	case g.progress && isTerminal(stderr):
		p.live, p.every = true, 500*time.Millisecond
	case g.progress:
		p.every = time.Second
		if g.stats > 0 {
			p.every = g.stats
		}
	case g.stats > 0:
		p.every = g.stats
	default:
		p.disabled = true
	}
	return p
}

// update is the operations' Progress callback.
func (p *progress) update(t model.Totals, jobs []model.Job) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	// A wait for the transfer quota is announced once, progress or not.
	if q := quotaCountdown(jobs, now, &p.quota); q != "" && p.quota.announce {
		fmt.Fprintln(p.w, "megatui:", q)
	}
	if p.disabled {
		return
	}
	var running []model.Job
	for _, j := range jobs {
		if j.State == model.StateRunning {
			running = append(running, j)
		}
	}
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	if !p.live {
		fmt.Fprintln(p.w, statsLine(t, now.Sub(p.start)))
		return
	}
	block := statsBlock(t, running, now.Sub(p.start))
	if p.lines > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.lines)
	}
	fmt.Fprint(p.w, block)
	p.lines = strings.Count(block, "\n")
}

// done leaves the last block on screen.
func (p *progress) done() {}

func finished(t model.Totals) int {
	return t.ByState[model.StateDone] + t.ByState[model.StateSkipped] + t.ByState[model.StateFailed] + t.ByState[model.StateCancelled]
}

func percent(a, b int64) int64 {
	if b <= 0 {
		return 0
	}
	return a * 100 / b
}

func eta(t model.Totals) string {
	if !t.ETAKnown || t.ETA <= 0 {
		return "-"
	}
	return t.ETA.Round(time.Second).String()
}

func statsLine(t model.Totals, el time.Duration) string {
	return fmt.Sprintf("Transferred: %s / %s, %d%%, %s/s, ETA %s; files %d / %d; elapsed %s",
		sizeUnit(t.BytesDone), sizeUnit(t.BytesTotal), percent(t.BytesDone, t.BytesTotal), sizeUnit(int64(t.Speed)), eta(t),
		finished(t), t.Jobs, el.Round(100*time.Millisecond))
}

func statsBlock(t model.Totals, running []model.Job, el time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Transferred:   %s / %s, %d%%, %s/s, ETA %s\n", sizeUnit(t.BytesDone), sizeUnit(t.BytesTotal),
		percent(t.BytesDone, t.BytesTotal), sizeUnit(int64(t.Speed)), eta(t))
	fmt.Fprintf(&b, "Transferred:   %d / %d, %d%%\n", finished(t), t.Jobs, percent(int64(finished(t)), int64(t.Jobs)))
	if n := t.ByState[model.StateFailed]; n > 0 {
		fmt.Fprintf(&b, "Errors:        %d\n", n)
	}
	fmt.Fprintf(&b, "Elapsed time:  %s\n", el.Round(100*time.Millisecond))
	if len(running) > 0 {
		b.WriteString("Transferring:\n")
		for i, j := range running {
			if i == 8 {
				fmt.Fprintf(&b, " * and %d more\n", len(running)-i)
				break
			}
			name := model.DisplayName(path.Base(filepath.ToSlash(j.Src.Display)))
			if r := []rune(name); len(r) > 40 {
				name = "…" + string(r[len(r)-39:])
			}
			fmt.Fprintf(&b, " * %40s: %3d%% /%s\n", name, percent(j.Done, j.Size), sizeUnit(max(j.Size, 0)))
		}
	}
	return b.String()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
