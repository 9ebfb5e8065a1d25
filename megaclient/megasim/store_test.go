package megasim

import (
	"bytes"
	"testing"
)

// TestPersistence: a restarted server with the same --data keeps
// accounts, sessions, nodes, links, the action log and ciphertext.
func TestPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opts := Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: testPassword, Version: 2}}}
	srv1, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	m := login(t, srv1, testEmail, testPassword)
	sid := m.GetSessionID()
	d, err := m.CreateDir("kept-folder", m.FS.GetRoot())
	if err != nil {
		t.Fatal(err)
	}
	content := randomContent(t, 700000)
	n, err := m.UploadFile(tempFile(t, "kept.bin", content), d, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := m.UploadFile(tempFile(t, "gone.bin", []byte("bye")), d, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(gone, true); err != nil {
		t.Fatal(err)
	}
	link, err := m.Link(n, false)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, sn1 := rawSession(t, srv1)
	before := fetchNodes(t, srv1, sid)
	if err := srv1.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := startServer(t, opts)
	after := fetchNodes(t, srv2, sid) // the old session still works
	mustEqual(t, "nodes after restart", len(after), len(before))
	for i := range before {
		for _, k := range []string{"h", "p", "a", "k", "ts"} {
			if before[i][k] != after[i][k] {
				t.Fatalf("node %d field %s: got %v, want %v", i, k, after[i][k], before[i][k])
			}
		}
	}
	_, _, _, sn2 := rawSession(t, srv2)
	mustEqual(t, "sn after restart", sn2, sn1)

	m2 := login(t, srv2, testEmail, testPassword)
	dir2 := childByName(t, m2, m2.FS.GetRoot(), "kept-folder")
	file2 := childByName(t, m2, dir2, "kept.bin")
	got, err := downloadBytes(t, m2, file2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Fatal("content differs after restart")
	}
	link2, err := m2.Link(file2, false)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "link after restart", link2, link)
	if kids, _ := m2.FS.GetChildren(dir2); len(kids) != 1 {
		t.Fatalf("folder has %d children after restart, want 1 (the deleted file must stay gone)", len(kids))
	}
}

func TestRestartWithWrongPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := Start(Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: testPassword, Version: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if srv, err := Start(Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: "other", Version: 1}}}); err == nil {
		_ = srv.Close()
		t.Fatal("restart with another password must fail")
	}
}
