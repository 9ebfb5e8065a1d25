package megaclient

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestAttrsRoundTrip(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	rand.Read(key)
	cases := []struct {
		name  string
		attrs Attrs
	}{
		{"plain", Attrs{Name: "file.txt"}},
		{"controls and quotes", Attrs{Name: "a\"b\\c\x00\x1b[31m\n\t\x7f"}},
		{"invalid utf-8 kept", Attrs{Name: "bad\xff\xfe\xc3"}},
		{"unicode", Attrs{Name: "日本語 😀 e\u0301"}},
		{"other attributes kept raw", Attrs{Name: "x", Other: map[string]json.RawMessage{
			"c": json.RawMessage(`"AAAAAAAAAAAAAAAAAAAAAAQAAAAA"`), "lbl": json.RawMessage(`3`), "x": json.RawMessage(`{"nested":[1,2]}`)}}},
	}
	for _, tc := range cases {
		enc, err := encryptAttrs(key, tc.attrs)
		if err != nil {
			t.Fatalf("%s: encrypt: %v", tc.name, err)
		}
		got, err := decryptAttrs(key, enc)
		if err != nil {
			t.Fatalf("%s: decrypt: %v", tc.name, err)
		}
		if got.Name != tc.attrs.Name {
			t.Errorf("%s: name: got %q, want %q", tc.name, got.Name, tc.attrs.Name)
		}
		for k, v := range tc.attrs.Other {
			if string(got.Other[k]) != string(v) {
				t.Errorf("%s: %s: got %s, want %s", tc.name, k, got.Other[k], v)
			}
		}
	}
	if _, err := decryptAttrs(key, "not base64!"); err == nil {
		t.Error("garbage attribute: got no error")
	}
}

func TestUnquoteRawEscapes(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{`"a\u00e9b"`, "aéb"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud800x"`, "\ufffdx"},
		{`"\/\b\f\n\r\t"`, "/\b\f\n\r\t"},
	}
	for _, tc := range cases {
		got, ok := unquoteRaw([]byte(tc.in))
		if !ok || got != tc.want {
			t.Errorf("unquote %s: got %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{`"\x"`, `"\u12"`, `abc`, `"a\`} {
		if _, ok := unquoteRaw([]byte(bad)); ok {
			t.Errorf("unquote %s: got ok, want failure", bad)
		}
	}
}

// Rename keeps attributes set by other clients (labels, favourites, ...),
// and folders get their exact name even when it is not valid UTF-8.
func TestRenameKeepsForeignAttributes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	root, _, _ := c.Roots()
	h := seedFolders(t, s, c.Session(), root, []string{"labelled"}, map[string]string{"lbl": "3", "fav": "1", "c": "kept"})[0]
	waitFor(t, func() bool { _, err := c.Stat(ctx, "/labelled"); return err == nil })
	if err := c.Rename(ctx, h, "renamed\xff"); err != nil {
		t.Fatal(err)
	}
	other := connect(t, s, nil)
	inf, ok := other.tree.info(h)
	if !ok {
		t.Fatal("second client does not see the folder")
	}
	if inf.attrs.Name != "renamed\xff" {
		t.Errorf("name: got %q, want %q", inf.attrs.Name, "renamed\xff")
	}
	for k, want := range map[string]string{"lbl": "3", "fav": "1", "c": "kept"} {
		if got := inf.attrs.String(k); got != want {
			t.Errorf("%s after rename: got %q, want %q", k, got, want)
		}
	}
	e, err := c.Mkdir(ctx, "/", "dir\xfe\x00name")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		got, err := other.Stat(ctx, "H:"+e.ID)
		return err == nil && got.Name == "dir\xfe\x00name"
	})
}

// go-mega's log lines go to Options.Logf, never to stderr.
func TestGoMegaLogRedirected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	var mu sync.Mutex
	var lines []string
	c := connect(t, s, func(o *Options) {
		o.Logf = func(format string, args ...any) {
			mu.Lock()
			lines = append(lines, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
	})
	// A malformed attribute from elsewhere makes go-mega log nothing, but a
	// dead session makes its poller complain — through Logf.
	logout(t, s, c.Session().SessionID)
	if _, err := c.Mkdir(ctx, "/", "x"); err != nil {
		t.Fatalf("mkdir after logout (one re-login): %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range lines {
		if strings.Contains(l, c.Session().SessionID) {
			t.Errorf("a log line holds the session id: %q", l)
		}
	}
}

func TestRedactSID(t *testing.T) {
	t.Parallel()
	in := `Post "https://127.0.0.1:1/sc?sn=abc&sid=SeCrEt-_123": connection refused`
	got := redactSID(in)
	if strings.Contains(got, "SeCrEt") || !strings.Contains(got, "sid=REDACTED") {
		t.Errorf("got %q, want the sid redacted", got)
	}
}

func TestSessionPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	s := Session{Email: "a@b.c", SessionID: "SECRETSID", MasterKey: []byte("0123456789abcdef")}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(out, "SECRETSID") || strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "48 49 50") {
			t.Errorf("printed session leaks a secret: %s", out)
		}
	}
}
