package dedupe

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

const (
	testEmail = "dedupe@example.com"
	testPass  = "dedupe test password"
)

// env is a megasim account holding the demo duplicate fixture in
// /Duplicates, with a logged-in client.
type env struct {
	srv   *megasim.Server
	c     *megaclient.Client
	fx    demo.Fixture
	trash string
	dir   string // journal directory
}

func newEnv(t testing.TB) *env {
	t.Helper()
	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: testEmail, Password: testPass, Version: 2}}})
	if err != nil {
		t.Fatalf("start megasim: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{srv: srv, c: connect(t, srv), dir: t.TempDir()}
	e.fx, err = demo.SeedDuplicates(context.Background(), e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	_, _, e.trash = e.c.Roots()
	return e
}

func connect(t testing.TB, srv *megasim.Server) *megaclient.Client {
	t.Helper()
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "mega", Email: testEmail, Password: testPass,
		APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (e *env) stat(t testing.TB, id string) model.Entry {
	t.Helper()
	en, err := e.c.Stat(context.Background(), id)
	if err != nil {
		t.Fatalf("stat %s: %v", id, err)
	}
	return en
}

// firstOf returns the ID that sorts first by upload time, then ID: the
// order of a group's members ("first" mode).
func (e *env) firstOf(t testing.TB, ids ...string) string {
	t.Helper()
	es := make([]model.Entry, len(ids))
	for i, id := range ids {
		es[i] = e.stat(t, id)
	}
	slices.SortStableFunc(es, func(a, b model.Entry) int {
		if c := a.UploadTime.Compare(b.UploadTime); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return es[0].ID
}

type place struct{ parent, name string }

// snapshot maps every node in Cloud Drive and the Rubbish Bin to its
// parent and name.
func (e *env) snapshot(t testing.TB) map[string]place {
	t.Helper()
	out := map[string]place{}
	for _, ref := range []string{"/", "//bin"} {
		sc, err := Scan(context.Background(), e.c, ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range sc.Entries {
			out[en.ID] = place{en.ParentID, en.Name}
		}
	}
	return out
}

// waitFor polls cond until it holds or 10 s pass (another client's change
// reaches this client through the event channel).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) inTrash(t testing.TB, id string) bool {
	t.Helper()
	es, err := e.c.List(context.Background(), "//bin")
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(es, func(en model.Entry) bool { return en.ID == id })
}
