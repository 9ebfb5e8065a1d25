package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/theme"
)

// `:` with a folder link opens it read-only in the pane; F5 from it
// downloads through the transfer engine, MAC-verified.
func TestTUIOpensFolderLinkAndCopiesFromIt(t *testing.T) {
	t.Parallel()
	sim := startTUISim(t)
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Email: tuiPlainEmail, Password: tuiPlainPass, APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	dir, _ := c.MkdirAll(ctx, "/shared/inner")
	data := bytes.Repeat([]byte("link data "), 30000)
	if _, err := c.Upload(ctx, dir.ID, "deep.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1600000000, 0), nil); err != nil {
		t.Fatal(err)
	}
	link, err := c.Link(ctx, "/shared")
	if err != nil {
		t.Fatal(err)
	}

	env := account.Env{Getenv: func(k string) string {
		if k == "MEGATUI_API_URL" {
			return sim.URL()
		}
		return ""
	}, HTTPClient: sim.HTTPClient()}
	routes := &linkRoutes{}
	t.Cleanup(routes.closeAll)
	st := theme.New(true, false)
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: tuiEmptyFS{}, Styles: &st, Location: time.UTC, OpenLink: openLink(env, routes)})
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	d.Run(app.Init())
	d.Press("tab", ":")
	d.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) // clear the field
	d.Type(link)
	d.Press("enter")
	if rows := d.rows(1); !slices.Equal(rows, []string{"inner"}) {
		t.Fatalf("the link's pane shows %v (message %q), want [inner]", rows, app.Message())
	}
	if !strings.Contains(d.screen(), "link: https://mega.nz/folder/") || strings.Contains(d.screen(), "#") {
		t.Errorf("the pane title should name the link without its key:\n%s", d.screen())
	}
	d.Press("enter")
	if rows := d.rows(1); !slices.Equal(rows, []string{"deep.bin"}) {
		t.Fatalf("inner shows %v", rows)
	}

	// `o` offers "a public link…" beside the filesystems.
	d.Press("tab", "o")
	for i := 0; i < 6 && !strings.Contains(d.screen(), "‹ a public link… ›"); i++ {
		d.Press("right")
	}
	if !strings.Contains(d.screen(), "‹ a public link… ›") {
		t.Fatalf("o offers no public link:\n%s", d.screen())
	}
	d.Press("enter")
	d.Type(link)
	d.Press("enter")
	if rows := d.rows(0); !slices.Equal(rows, []string{"inner"}) {
		t.Fatalf("o → public link shows %v (message %q), want [inner]", rows, app.Message())
	}

	// F5 from the link pane: the queue adapter hands it to the engine,
	// whose remote reads the link's nodes from the link.
	lfs := routes.links[0]
	e := transfer.New(transfer.Options{Remote: fsRemote{links: routes}, Workers: 2})
	ectx, cancel := context.WithCancel(ctx)
	if err := e.Start(ectx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = e.Wait() })
	q := newQueueAdapter(ectx, e, nil)
	dst := t.TempDir()
	inner, err := lfs.Stat(ctx, "/inner")
	if err != nil {
		t.Fatal(err)
	}
	err = q.Enqueue(ctx, ui.TransferRequest{Op: model.OpCopy, SrcFS: linkFS{p: lfs}, SrcDir: "/", Sources: []model.Entry{inner},
		DstFS: localFS{}, DstDir: dst, Conflict: model.ConflictSkip})
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := e.WaitIdle(wctx); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dst, "inner", "deep.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded from the link: %v (%d bytes, want %d)", err, len(got), len(data))
	}
	// Read-only.
	if err := (linkFS{p: lfs}).Mkdir(ctx, "/", "x"); err == nil {
		t.Error("mkdir in a link pane: want an error")
	}
}
