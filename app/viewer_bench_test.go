package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/uitest"
)

// BenchmarkViewerFirstScreen: F3 on a 100 MiB text file in MEGA, through
// the real client and megasim, until the viewer shows its first lines.
// It reports the ciphertext bytes megasim served for that (its
// download-bytes counter) and, in the same run, a full download of the
// file as the baseline:
//
//	go test ./app -run '^$' -bench BenchmarkViewerFirstScreen -benchtime 3x
func BenchmarkViewerFirstScreen(b *testing.B) {
	const email, pass = "viewer-bench@example.com", "viewer bench password"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "bench", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var text bytes.Buffer
	for i := 0; text.Len() < 100<<20; i++ {
		fmt.Fprintf(&text, "%s line %09d: GET /api/v1/items?page=%d 200 %dms\n", time.Date(2026, 1, 1, 0, 0, i/1000, 0, time.UTC).Format(time.RFC3339), i, i%97, i%300)
	}
	size := int64(text.Len())
	if _, err := c.MkdirAll(ctx, "/Logs"); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Upload(ctx, "/Logs", "big.log", bytes.NewReader(text.Bytes()), size, time.Now(), nil); err != nil {
		b.Fatal(err)
	}
	pane := newMegaFS("bench", email, c, b.TempDir())
	st := theme.New(true, true)
	right := struct {
		ui.FS
		ui.Opener
	}{pane, pane}

	var fetched, full int64
	var firstScreen, fullTime time.Duration
	for b.Loop() {
		app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: right, RightDir: "/Logs", Styles: &st, Location: time.UTC})
		d := uitest.New(b, app)
		d.Timeout = time.Minute
		d.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
		d.Run(app.Init())
		d.Press("tab")
		served := sim.CommandCount("download-bytes")
		t0 := time.Now()
		d.Press("f3")
		firstScreen += time.Since(t0)
		fetched += int64(sim.CommandCount("download-bytes") - served)
		if v := ansi.Strip(app.View().Content); !strings.Contains(v, "line 000000000") {
			b.Fatalf("no first screen:\n%s", v)
		}

		served = sim.CommandCount("download-bytes")
		t0 = time.Now()
		f, err := os.Create(filepath.Join(b.TempDir(), "big.log"))
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Download(ctx, "/Logs/big.log", f, nil); err != nil {
			b.Fatal(err)
		}
		f.Close()
		fullTime += time.Since(t0)
		full += int64(sim.CommandCount("download-bytes") - served)
	}
	n := int64(b.N)
	b.ReportMetric(float64(fetched/n), "viewer-bytes/op")
	b.ReportMetric(float64(full/n), "download-bytes/op")
	b.ReportMetric(float64(full)/float64(max(fetched, 1)), "bytes-ratio")
	b.ReportMetric(firstScreen.Seconds()/float64(n)*1000, "viewer-ms/op")
	b.ReportMetric(fullTime.Seconds()/float64(n)*1000, "download-ms/op")
}

// TestViewerMegaFirstScreenFetchesOneRange: F3 on a MEGA file shows its
// first lines after megasim served one 64 KiB range, not the file.
func TestViewerMegaFirstScreenFetchesOneRange(t *testing.T) {
	t.Parallel()
	const email, pass = "viewer-test@example.com", "viewer test password"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "view", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var text bytes.Buffer
	for i := 0; text.Len() < 2<<20; i++ {
		fmt.Fprintf(&text, "entry %07d\n", i)
	}
	if _, err := c.Upload(ctx, "/", "log.txt", bytes.NewReader(text.Bytes()), int64(text.Len()), time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	pane := newMegaFS("view", email, c, t.TempDir())
	st := theme.New(true, true)
	right := struct {
		ui.FS
		ui.Opener
	}{pane, pane}
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: right, RightDir: "/", Styles: &st, Location: time.UTC})
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Run(app.Init())
	d.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	before := sim.CommandCount("download-bytes")
	d.Send(tea.KeyPressMsg{Code: tea.KeyF3})
	v := ansi.Strip(d.screen())
	if !strings.Contains(v, "entry 0000000") || !strings.Contains(v, "log.txt · 2.0 MiB · text") {
		t.Fatalf("first screen:\n%s", v)
	}
	if n := sim.CommandCount("download-bytes") - before; n <= 0 || n > 64<<10 {
		t.Errorf("megasim served %d bytes for the first screen, want one range of at most 64 KiB", n)
	}
	d.Type("G")
	if v := ansi.Strip(d.screen()); !strings.Contains(v, fmt.Sprintf("entry %07d", text.Len()/14-1)) {
		t.Errorf("G does not show the last entry:\n%s", v)
	}
}

// TestFolderSizesFromTheTree: a MEGA folder's size is the sum of its
// files at every depth, from the tree in memory.
func TestFolderSizesFromTheTree(t *testing.T) {
	t.Parallel()
	const email, pass = "sizes-test@example.com", "sizes test password"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "sizes", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.MkdirAll(ctx, "/A/B/C"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MkdirAll(ctx, "/Empty"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		dir string
		n   int
	}{{"/A", 100}, {"/A/B", 2000}, {"/A/B/C", 30000}} {
		if _, err := c.Upload(ctx, f.dir, "f.bin", bytes.NewReader(make([]byte, f.n)), int64(f.n), time.Now(), nil); err != nil {
			t.Fatal(err)
		}
	}
	pane := newMegaFS("sizes", email, c, t.TempDir())
	es, err := c.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := pane.FolderSizes(ctx, "/", es)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		want := map[string]int64{"A": 32100, "Empty": 0}[e.Name]
		if got := sizes[model.EntryKey(e)]; got != want {
			t.Errorf("%s: got %d, want %d", e.Name, got, want)
		}
	}
}
