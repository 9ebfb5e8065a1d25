package megaclient

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Entries name the folder holding them: List, Stat, Lookup, and the
// entry an upload returns; a root has none. A move updates it.
func TestEntriesCarryParentID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	root, _, trash := c.Roots()
	dir, err := c.MkdirAll(ctx, "/d")
	if err != nil {
		t.Fatal(err)
	}
	if dir.ParentID != root {
		t.Errorf("mkdir /d: got ParentID %q, want the Cloud Drive %q", dir.ParentID, root)
	}
	up, err := c.Upload(ctx, dir.ID, "f.txt", bytes.NewReader([]byte("abc")), 3, time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.ParentID != dir.ID {
		t.Errorf("upload: got ParentID %q, want %q", up.ParentID, dir.ID)
	}
	es, err := c.List(ctx, "/d")
	if err != nil || len(es) != 1 || es[0].ParentID != dir.ID {
		t.Errorf("list /d: got %+v, %v; want one entry with ParentID %q", es, err, dir.ID)
	}
	st, err := c.Stat(ctx, "/d/f.txt")
	if err != nil || st.ParentID != dir.ID {
		t.Errorf("stat /d/f.txt: got ParentID %q, %v; want %q", st.ParentID, err, dir.ID)
	}
	lk, err := c.Lookup(ctx, "/d", "f.txt")
	if err != nil || len(lk) != 1 || lk[0].ParentID != dir.ID {
		t.Errorf("lookup f.txt in /d: got %+v, %v; want one entry with ParentID %q", lk, err, dir.ID)
	}
	rs, err := c.Stat(ctx, "/")
	if err != nil || rs.ParentID != "" {
		t.Errorf("stat /: got ParentID %q, %v; want none", rs.ParentID, err)
	}
	if err := c.Trash(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Stat(ctx, up.ID); err != nil || st.ParentID != trash {
		t.Errorf("after trash: got ParentID %q, %v; want the Rubbish Bin %q", st.ParentID, err, trash)
	}
	// A client that logged in afterwards reads the same from its `f`.
	c2 := connect(t, s, nil)
	if es, err := c2.List(ctx, "/"); err != nil || len(es) != 1 || es[0].ParentID != root {
		t.Errorf("fresh client, list /: got %+v, %v; want /d with ParentID %q", es, err, root)
	}
}
