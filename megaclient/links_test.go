package megaclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func TestParseLink(t *testing.T) {
	t.Parallel()
	fileKey := b64encode(bytes.Repeat([]byte{7}, 32))
	folderKey := b64encode(bytes.Repeat([]byte{9}, 16))
	cases := []struct {
		name, in string
		folder   bool
		sub      string
		bad      bool
	}{
		{"file", "https://mega.nz/file/AbCdEfGh#" + fileKey, false, "", false},
		{"folder", "https://mega.nz/folder/AbCdEfGh#" + folderKey, true, "", false},
		{"folder with sub-folder", "https://mega.nz/folder/AbCdEfGh#" + folderKey + "/folder/ZyXwVuTs", true, "ZyXwVuTs", false},
		{"folder with file", "https://mega.nz/folder/AbCdEfGh#" + folderKey + "/file/ZyXwVuTs", true, "ZyXwVuTs", false},
		{"old file", "https://mega.co.nz/#!AbCdEfGh!" + fileKey, false, "", false},
		{"old file on mega.nz", "https://mega.nz/#!AbCdEfGh!" + fileKey, false, "", false},
		{"old folder", "https://mega.co.nz/#F!AbCdEfGh!" + folderKey, true, "", false},
		{"no scheme", "mega.nz/file/AbCdEfGh#" + fileKey, false, "", false},
		{"no key", "https://mega.nz/file/AbCdEfGh", false, "", true},
		{"empty key", "https://mega.nz/file/AbCdEfGh#", false, "", true},
		{"folder key on a file", "https://mega.nz/file/AbCdEfGh#" + folderKey, false, "", true},
		{"file key on a folder", "https://mega.nz/folder/AbCdEfGh#" + fileKey, true, "", true},
		{"damaged key", "https://mega.nz/file/AbCdEfGh#" + fileKey[:40] + "!!!", false, "", true},
		{"short handle", "https://mega.nz/file/AbCd#" + fileKey, false, "", true},
		{"other site", "https://example.com/file/AbCdEfGh#" + fileKey, false, "", true},
		{"old form without key", "https://mega.co.nz/#!AbCdEfGh", false, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseLink(tc.in)
			if tc.bad {
				if !errors.Is(err, model.ErrBadLink) {
					t.Fatalf("got %+v, %v; want ErrBadLink", l, err)
				}
				if strings.Contains(err.Error(), fileKey) || strings.Contains(err.Error(), folderKey) {
					t.Fatalf("error %q shows the key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Folder != tc.folder || l.Handle != "AbCdEfGh" || l.Sub != tc.sub {
				t.Fatalf("got %+v, want folder=%v sub=%q", l, tc.folder, tc.sub)
			}
			want := "https://mega.nz/file/AbCdEfGh#" + fileKey
			if tc.folder {
				want = "https://mega.nz/folder/AbCdEfGh#" + folderKey
				if tc.sub != "" {
					want += "/folder/" + tc.sub
				}
			}
			if l.String() != want {
				t.Fatalf("String: got %s, want %s", l.String(), want)
			}
		})
	}
}

// openLink opens a link as a second client without any account would.
func openLink(t *testing.T, s *megasim.Server, link string) *Public {
	t.Helper()
	p, err := OpenLink(context.Background(), link, LinkOptions{APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func uploadFile(t *testing.T, c *Client, parent, name string, data []byte) model.Entry {
	t.Helper()
	e, err := c.Upload(context.Background(), parent, name, bytes.NewReader(data), int64(len(data)), time.Unix(1650000000, 0), nil)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return e
}

func TestFileLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	data := randomBytes(700000, 3)
	e := uploadFile(t, c, "/", "movie.bin", data)
	link, err := c.Link(ctx, "/movie.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://mega.nz/file/") || len(link) != len("https://mega.nz/file/")+8+1+43 {
		t.Fatalf("link %s: want https://mega.nz/file/<8>#<43>", link)
	}
	again, err := c.Link(ctx, e.ID)
	if err != nil || again != link {
		t.Fatalf("second export: %s, %v; want %s", again, err, link)
	}
	l, _ := ParseLink(link)
	old := "https://mega.co.nz/#!" + l.Handle + "!" + b64encode(l.Key)
	for _, form := range []string{link, old} {
		p := openLink(t, s, form)
		root := p.Root()
		if p.IsFolder() || root.Name != "movie.bin" || root.Size != int64(len(data)) || !root.ModTime.Equal(time.Unix(1650000000, 0)) {
			t.Fatalf("root of %s: %+v", form, root)
		}
		var got memFile
		if err := p.Download(ctx, root.ID, &got, nil); err != nil || !bytes.Equal(got.buf, data) {
			t.Fatalf("download %s: %v (%d bytes)", form, err, len(got.buf))
		}
		if _, err := p.Mkdir(ctx, "", "x"); !errors.Is(err, model.ErrAccess) {
			t.Fatalf("mkdir in a link: %v, want ErrAccess", err)
		}
	}
	// A key that parses but is not the file's: refused before anything is read.
	bad := append([]byte(nil), l.Key...)
	bad[3] ^= 0x40
	badLink := Link{Handle: l.Handle, Key: bad}.String()
	if _, err := OpenLink(ctx, badLink, LinkOptions{APIURL: s.URL(), HTTPClient: s.HTTPClient()}); !errors.Is(err, model.ErrBadLink) ||
		!strings.Contains(err.Error(), "key does not decrypt") {
		t.Fatalf("wrong key: %v, want ErrBadLink saying the key does not decrypt", err)
	}
	if err := c.RemoveLink(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLink(ctx, link, LinkOptions{APIURL: s.URL(), HTTPClient: s.HTTPClient()}); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("removed link: %v, want ErrNotFound", err)
	}
}

func TestFolderLinkDownloadsWithoutAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	dir, err := c.MkdirAll(ctx, "/share/sub/deeper")
	if err != nil {
		t.Fatal(err)
	}
	share, _ := c.Stat(ctx, "/share")
	files := map[string][]byte{
		"/a.txt":              randomBytes(1000, 1),
		"/empty":              nil,
		"/sub/big.bin":        randomBytes(1500000, 2),
		"/sub/deeper/c.bin":   randomBytes(131073, 4),
		"/sub/deeper/ünï.txt": []byte("names survive"),
	}
	for p, data := range files {
		parent := "/share" + p[:strings.LastIndexByte(p, '/')]
		uploadFile(t, c, parent, p[strings.LastIndexByte(p, '/')+1:], data)
	}
	_ = dir
	link, err := c.Link(ctx, "/share")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://mega.nz/folder/") || len(link) != len("https://mega.nz/folder/")+8+1+22 {
		t.Fatalf("link %s: want https://mega.nz/folder/<8>#<22>", link)
	}
	if again, err := c.Link(ctx, share.ID); err != nil || again != link {
		t.Fatalf("second export: %s, %v; want %s", again, err, link)
	}
	// Added after the export: visible through the link too.
	files["/later.txt"] = []byte("added later")
	uploadFile(t, c, "/share", "later.txt", files["/later.txt"])

	s.SetFaults(megasim.Faults{HTTP500Rate: 0.2, DropRate: 0.1})
	p := openLink(t, s, link)
	if !p.IsFolder() || p.Root().Name != "share" {
		t.Fatalf("root %+v", p.Root())
	}
	got := map[string][]byte{}
	var walk func(id, path string)
	walk = func(id, path string) {
		es, err := p.List(ctx, id)
		if err != nil {
			t.Fatalf("list %s: %v", path, err)
		}
		for _, e := range es {
			if e.IsDir() {
				walk(e.ID, path+"/"+e.Name)
				continue
			}
			var f memFile
			if err := p.Download(ctx, e.ID, &f, nil); err != nil {
				t.Fatalf("download %s/%s: %v", path, e.Name, err)
			}
			got[path+"/"+e.Name] = append([]byte(nil), f.buf...)
		}
	}
	walk("", "")
	s.SetFaults(megasim.Faults{})
	if len(got) != len(files) {
		t.Fatalf("got %d files, want %d", len(got), len(files))
	}
	for path, data := range files {
		if !bytes.Equal(got[path], data) {
			t.Errorf("%s: %d bytes differ from the %d uploaded", path, len(got[path]), len(data))
		}
	}
	if e, err := p.Stat(ctx, "/sub/deeper/c.bin"); err != nil || e.Size != 131073 {
		t.Fatalf("stat by path: %+v, %v", e, err)
	}
	// Nothing outside the folder is reachable through the link.
	root, _, _ := c.Roots()
	if _, err := p.List(ctx, root); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("list outside the link: %v, want ErrNotFound", err)
	}
	// A wrong share key is refused.
	l, _ := ParseLink(link)
	l.Key[0] ^= 1
	if _, err := OpenLink(ctx, l.String(), LinkOptions{APIURL: s.URL(), HTTPClient: s.HTTPClient()}); !errors.Is(err, model.ErrBadLink) {
		t.Fatalf("wrong key: %v, want ErrBadLink", err)
	}
	if err := c.RemoveLink(ctx, "/share"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLink(ctx, link, LinkOptions{APIURL: s.URL(), HTTPClient: s.HTTPClient()}); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("removed link: %v, want ErrNotFound", err)
	}
}

func TestImportLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const bob, bobPass = "bob@example.com", "bob's password"
	s := startSim(t, megasim.Account{Email: testEmail, Password: testPass, Version: 2}, megasim.Account{Email: bob, Password: bobPass, Version: 2})
	alice := connect(t, s, nil)
	if _, err := alice.MkdirAll(ctx, "/album/inner"); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"/album/one.jpg": randomBytes(200000, 7), "/album/inner/two.jpg": randomBytes(5, 8), "/album/inner/none": nil}
	for p, data := range files {
		i := strings.LastIndexByte(p, '/')
		uploadFile(t, alice, p[:i], p[i+1:], data)
	}
	folderLink, err := alice.Link(ctx, "/album")
	if err != nil {
		t.Fatal(err)
	}
	fileLink, err := alice.Link(ctx, "/album/one.jpg")
	if err != nil {
		t.Fatal(err)
	}
	b := connect(t, s, func(o *Options) { o.Email, o.Password = bob, bobPass })
	dst, _ := b.MkdirAll(ctx, "/imported")
	pieces := s.CommandCount("upload-piece")
	for _, link := range []string{fileLink, folderLink} {
		e, err := b.Import(ctx, openLink(t, s, link), dst.ID)
		if err != nil {
			t.Fatalf("import %s: %v", link, err)
		}
		if e.ParentID != dst.ID {
			t.Fatalf("imported %+v, want it in /imported", e)
		}
	}
	if got := s.CommandCount("upload-piece"); got != pieces {
		t.Errorf("import sent %d upload pieces, want none (a server-side copy)", got-pieces)
	}
	check := func(path string, want []byte) {
		t.Helper()
		e, err := b.Stat(ctx, path)
		if err != nil {
			t.Fatalf("stat %s: %v", path, err)
		}
		var f memFile
		if err := b.Download(ctx, e.ID, &f, nil); err != nil || !bytes.Equal(f.buf, want) {
			t.Fatalf("%s: %v (%d bytes, want %d)", path, err, len(f.buf), len(want))
		}
		if !e.ModTime.Equal(time.Unix(1650000000, 0)) {
			t.Errorf("%s: mtime %v, want the original", path, e.ModTime)
		}
	}
	check("/imported/one.jpg", files["/album/one.jpg"])
	check("/imported/album/one.jpg", files["/album/one.jpg"])
	check("/imported/album/inner/two.jpg", files["/album/inner/two.jpg"])
	check("/imported/album/inner/none", nil)
}
