package megasim

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretsOf lists the forms in which a secret could leak: raw bytes,
// base64url, standard base64 and hex.
func secretsOf(b []byte) [][]byte {
	return [][]byte{b, []byte(b64(b)), []byte(base64.StdEncoding.EncodeToString(b)), []byte(hex.EncodeToString(b))}
}

// TestNeverPlaintext uploads known content under a known name, creates a
// folder with a known name, and then searches everything the server
// holds (memory dump and the --data directory) for the names, the
// content, the password and the master key.
func TestNeverPlaintext(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"memory", "data-dir"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opts := Options{}
			if mode == "data-dir" {
				opts.DataDir = t.TempDir()
			}
			srv := startServer(t, opts)
			m := login(t, srv, testEmail, testPassword)
			master := append([]byte(nil), m.GetMasterKey()...)
			const folderName = "Secret-Folder-Name-QX7"
			const fileName = "secret-file-name-ZK9.txt"
			content := bytes.Repeat([]byte("PLAINTEXT-CONTENT-MARKER "), 2000)
			dir, err := m.CreateDir(folderName, m.FS.GetRoot())
			if err != nil {
				t.Fatal(err)
			}
			n, err := m.UploadFile(tempFile(t, fileName, content), dir, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Rename(n, "renamed-secret-NM3.txt"); err != nil {
				t.Fatal(err)
			}

			needles := map[string][][]byte{
				"folder name":     {[]byte(folderName)},
				"file name":       {[]byte(fileName)},
				"new file name":   {[]byte("renamed-secret-NM3.txt")},
				"content":         {content[:64]},
				"password":        secretsOf([]byte(testPassword)),
				"master key":      secretsOf(master),
				"session id":      {[]byte(m.GetSessionID())},
				"sid, raw":        {mustUnb64(t, m.GetSessionID())},
				"content, base64": {[]byte(b64(content[:48]))},
			}
			check := func(where string, hay []byte) {
				for what, forms := range needles {
					for _, f := range forms {
						if bytes.Contains(hay, f) {
							t.Errorf("%s found in %s", what, where)
						}
					}
				}
			}
			dump := srv.dumpState()
			if !bytes.Contains(dump, []byte(testEmail)) || !bytes.Contains(dump, []byte(n.GetHash())) {
				t.Fatal("the memory dump lacks the account or the node: it proves nothing")
			}
			check("memory", dump)

			// The stored ciphertext is the content's size but not the content.
			got, err := srv.storedCiphertext(n.GetHash())
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "ciphertext size", len(got), len(content))
			if bytes.Equal(got, content) {
				t.Fatal("stored bytes equal the plaintext")
			}
			if mode != "data-dir" {
				return
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			files := 0
			err = filepath.WalkDir(opts.DataDir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				files++
				check(p, b)
				info, err := d.Info()
				if err != nil {
					return err
				}
				if !strings.HasSuffix(p, "ca.pem") && info.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v, want 0600", p, info.Mode().Perm())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files < 4 {
				t.Fatalf("only %d files in the data dir", files)
			}
		})
	}
}

func mustUnb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := unb64(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
