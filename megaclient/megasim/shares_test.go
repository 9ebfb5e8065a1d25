package megasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	bobEmail    = "bob@example.com"
	bobPassword = "bob's password"
)

// shareParty is a logged-in user as a test client sees it.
type shareParty struct {
	email, sid, handle string
	master             []byte
}

func startSharing(t testing.TB, dataDir string) *Server {
	t.Helper()
	return startServer(t, Options{DataDir: dataDir, Accounts: []Account{
		{Email: testEmail, Password: testPassword, Version: 1},
		{Email: bobEmail, Password: bobPassword, Version: 1},
	}})
}

func party(t testing.TB, srv *Server, email, password string) shareParty {
	t.Helper()
	m := login(t, srv, email, password)
	p := shareParty{email: email, sid: m.GetSessionID(), master: append([]byte(nil), m.GetMasterKey()...)}
	_, body := api(t, srv, p.sid, `[{"a":"ug"}]`)
	var ug []struct {
		U string `json:"u"`
	}
	if err := json.Unmarshal([]byte(body), &ug); err != nil || len(ug) != 1 {
		t.Fatalf("ug: %s: %v", body, err)
	}
	p.handle = ug[0].U
	return p
}

// fetchAll returns a whole "f" reply, decoded loosely.
func fetchAll(t testing.TB, srv *Server, sid string) map[string]json.RawMessage {
	t.Helper()
	code, body := api(t, srv, sid, `[{"a":"f","c":1}]`)
	var res []map[string]json.RawMessage
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil || len(res) != 1 {
		t.Fatalf("f: HTTP %d %.300s", code, body)
	}
	return res[0]
}

type wireNode struct {
	H, P, U, A, K, SU, SK string
	T                     int
	R                     *int
	S                     int64
}

func wireNodes(t testing.TB, f map[string]json.RawMessage) map[string]wireNode {
	t.Helper()
	var raw []struct {
		H  string `json:"h"`
		P  string `json:"p"`
		U  string `json:"u"`
		T  int    `json:"t"`
		A  string `json:"a"`
		K  string `json:"k"`
		S  int64  `json:"s"`
		SU string `json:"su"`
		SK string `json:"sk"`
		R  *int   `json:"r"`
	}
	if err := json.Unmarshal(f["f"], &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]wireNode{}
	for _, n := range raw {
		out[n.H] = wireNode{H: n.H, P: n.P, U: n.U, A: n.A, K: n.K, SU: n.SU, SK: n.SK, T: n.T, R: n.R, S: n.S}
	}
	return out
}

// ownKey decrypts a node's "<user>:<key>" entry with the user's master key.
func ownKey(t testing.TB, k, user string, master []byte) []byte {
	t.Helper()
	for _, part := range strings.Split(k, "/") {
		h, enc, _ := strings.Cut(part, ":")
		if h != user {
			continue
		}
		raw, err := unb64(enc)
		if err != nil {
			t.Fatal(err)
		}
		key, err := ecbDecrypt(master, raw)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	t.Fatalf("no key of %s in %q", user, k)
	return nil
}

func attrName(t testing.TB, nodeKey []byte, a string) string {
	t.Helper()
	k := nodeKey
	if len(k) == 32 {
		k = make([]byte, 16)
		for i := range k {
			k[i] = nodeKey[i] ^ nodeKey[i+16]
		}
	}
	js, err := attrDecrypt(k, a)
	if err != nil {
		t.Fatalf("attr: %v", err)
	}
	var v struct {
		N string `json:"n"`
	}
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	return v.N
}

// rsaEncrypt encrypts a 16-byte key to a MEGA public key as the SDK does:
// the key, random filler up to two bytes short of the modulus, raw RSA,
// written as an MPI.
func rsaEncrypt(t testing.TB, pubk string, key []byte) string {
	t.Helper()
	raw, err := unb64(pubk)
	if err != nil {
		t.Fatal(err)
	}
	n, rest, err := readMPI(raw)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := readMPI(rest)
	if err != nil {
		t.Fatal(err)
	}
	m := append(append([]byte{}, key...), randomBytes((n.BitLen()+7)/8-2-len(key))...)
	c := new(big.Int).Exp(new(big.Int).SetBytes(m), e, n)
	return b64(mpi(c))
}

// rsaDecrypt recovers a 16-byte key with the recipient's private key.
func rsaDecrypt(t testing.TB, srv *Server, email, password, enc string) []byte {
	t.Helper()
	srv.mu.Lock()
	rec := srv.accounts[email].rec
	srv.mu.Unlock()
	master, err := rec.masterKey(password)
	if err != nil {
		t.Fatal(err)
	}
	praw, _ := unb64(rec.Privk)
	priv, err := ecbDecrypt(master, praw)
	if err != nil {
		t.Fatal(err)
	}
	p, rest, _ := readMPI(priv)
	q, rest, _ := readMPI(rest)
	d, _, err := readMPI(rest)
	if err != nil {
		t.Fatal(err)
	}
	craw, _ := unb64(enc)
	c, _, err := readMPI(craw)
	if err != nil {
		t.Fatal(err)
	}
	m := new(big.Int).Exp(c, d, new(big.Int).Mul(p, q)).Bytes()
	width := len(p.Bytes()) + len(q.Bytes()) - 2
	if len(m) > width {
		t.Fatalf("rsa plaintext of %d bytes, want at most %d", len(m), width)
	}
	full := make([]byte, width)
	copy(full[width-len(m):], m)
	return full[:16]
}

// shareBuild is the client side of "s2": everything a client sends.
type shareBuild struct {
	key []byte // the share key in clear (the test keeps it)
	cmd map[string]any
}

// buildShare makes the "s2" command owner would send to share folder h
// with recipient at access level r: ok, ha, the recipient's RSA-encrypted
// key (from "uk") and "cr" with every node key of the subtree under the
// new share key.
func buildShare(t testing.TB, srv *Server, owner shareParty, h, recipient string, r int) shareBuild {
	t.Helper()
	_, body := api(t, srv, owner.sid, cmd(t, map[string]any{"a": "uk", "u": recipient}))
	var uk []ukReply
	if err := json.Unmarshal([]byte(body), &uk); err != nil || len(uk) != 1 || uk[0].Pubk == "" {
		t.Fatalf("uk: %s: %v", body, err)
	}
	key := randomBytes(16)
	ok, _ := ecbEncrypt(owner.master, key)
	ha, _ := ecbEncrypt(owner.master, []byte(h+h))
	var items []string
	var links []any
	nodes := wireNodes(t, fetchAll(t, srv, owner.sid))
	for _, n := range nodes {
		if !isUnder(nodes, h, n.H) {
			continue
		}
		nk := ownKey(t, n.K, owner.handle, owner.master)
		enc, _ := ecbEncrypt(key, nk)
		links = append(links, 0, len(items), b64(enc))
		items = append(items, n.H)
	}
	return shareBuild{key: key, cmd: map[string]any{
		"a": "s2", "n": h, "ok": b64(ok), "ha": b64(ha),
		"s":  []any{map[string]any{"u": recipient, "r": r, "k": rsaEncrypt(t, uk[0].Pubk, key)}},
		"cr": []any{[]string{h}, items, links},
		"i":  "shareReq01",
	}}
}

func isUnder(nodes map[string]wireNode, anc, h string) bool {
	for i := 0; i < 1000 && h != ""; i++ {
		if h == anc {
			return true
		}
		h = nodes[h].P
	}
	return false
}

// teamFolder creates /Team (a folder with a real key and name) holding a
// sub-folder and two 100-byte files, and returns its handle.
func teamFolder(t testing.TB, srv *Server, owner shareParty, password string) string {
	t.Helper()
	key := randomBytes(16)
	a, err := attrEncrypt(key, []byte(`{"n":"Team"}`))
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecbEncrypt(owner.master, key)
	srv.mu.Lock()
	root := srv.accounts[owner.email].rec.Root
	srv.mu.Unlock()
	_, body := api(t, srv, owner.sid, cmd(t, map[string]any{"a": "p", "t": root,
		"n": []any{map[string]any{"h": "xxxxxxxx", "t": 1, "a": a, "k": b64(ek)}}}))
	var r []struct {
		F []struct {
			H string `json:"h"`
		} `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || len(r) != 1 || len(r[0].F) != 1 {
		t.Fatalf("mkdir Team: %s", body)
	}
	team := r[0].F[0].H
	if _, err := srv.SeedTree(owner.email, SeedOptions{Password: password, Parent: team, Nodes: 3, FanOut: 3, SubFolders: 1, FileSize: 100, NamePrefix: "team"}); err != nil {
		t.Fatal(err)
	}
	return team
}

func TestShareCommandAndRecipientView(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	_, bobSN := func() (string, string) {
		f := fetchAll(t, srv, bob.sid)
		var sn string
		_ = json.Unmarshal(f["sn"], &sn)
		return "", sn
	}()

	// uk: the recipient's handle and public key, by e-mail or handle.
	_, body := api(t, srv, alice.sid, cmd(t, map[string]any{"a": "uk", "u": bobEmail}))
	srv.mu.Lock()
	bobPubk := srv.accounts[bobEmail].rec.Pubk
	srv.mu.Unlock()
	mustEqual(t, "uk reply", body, fmt.Sprintf(`[{"u":%q,"pubk":%q}]`, bob.handle, bobPubk))
	_, body = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "uk", "u": bob.handle}))
	mustEqual(t, "uk by handle", body, fmt.Sprintf(`[{"u":%q,"pubk":%q}]`, bob.handle, bobPubk))
	_, body = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "uk", "u": "nobody@example.com"}))
	mustEqual(t, "uk unknown", body, "[-9]")

	sb := buildShare(t, srv, alice, team, bobEmail, accessRead)
	_, body = api(t, srv, alice.sid, cmd(t, sb.cmd))
	mustEqual(t, "s2 reply", body, fmt.Sprintf(`[{"r":[0],"u":[{"u":%q,"m":%q}]}]`, bob.handle, bobEmail))

	// The owner's fetch: ok, s and the contact.
	af := fetchAll(t, srv, alice.sid)
	mustEqual(t, "owner ok", string(af["ok"]), fmt.Sprintf(`[{"h":%q,"k":%q,"ha":%q}]`, team, sb.cmd["ok"], sb.cmd["ha"]))
	var out []outShareEntry
	if err := json.Unmarshal(af["s"], &out); err != nil || len(out) != 1 {
		t.Fatalf("owner s: %s", af["s"])
	}
	mustEqual(t, "owner s.h", out[0].H, team)
	mustEqual(t, "owner s.u", out[0].U, bob.handle)
	mustEqual(t, "owner s.r", out[0].R, 0)
	if !strings.Contains(string(af["u"]), fmt.Sprintf(`{"u":%q,"c":1,"m":%q}`, bob.handle, bobEmail)) {
		t.Fatalf("owner u lacks the recipient as a contact: %s", af["u"])
	}

	// The recipient's fetch: the share root with su/sk/r and every node
	// under it keyed by the share only; no owner key, no ok entry.
	bf := fetchAll(t, srv, bob.sid)
	mustEqual(t, "recipient ok", string(bf["ok"]), "[]")
	mustEqual(t, "recipient s", string(bf["s"]), "[]")
	if !strings.Contains(string(bf["u"]), fmt.Sprintf(`{"u":%q,"c":1,"m":%q}`, alice.handle, testEmail)) {
		t.Fatalf("recipient u lacks the owner as a contact: %s", bf["u"])
	}
	bn := wireNodes(t, bf)
	root, ok := bn[team]
	if !ok {
		t.Fatalf("recipient does not see the share root")
	}
	mustEqual(t, "root su", root.SU, alice.handle)
	mustEqual(t, "root sk", root.SK, sb.cmd["s"].([]any)[0].(map[string]any)["k"].(string))
	if root.R == nil || *root.R != 0 {
		t.Fatalf("root r: got %v, want 0", root.R)
	}
	shareKey := rsaDecrypt(t, srv, bobEmail, bobPassword, root.SK)
	mustEqual(t, "share key via RSA", b64(shareKey), b64(sb.key))
	names := map[string]bool{}
	var files int
	for _, n := range bn {
		if !isUnder(bn, team, n.H) {
			continue
		}
		mustEqual(t, "node owner", n.U, alice.handle)
		h, enc, _ := strings.Cut(n.K, ":")
		if h != team || strings.Contains(enc, "/") || strings.Contains(n.K, alice.handle) {
			t.Fatalf("recipient's k of %s: %q, want only %s:<key>", n.H, n.K, team)
		}
		raw, _ := unb64(enc)
		nk, err := ecbDecrypt(shareKey, raw)
		if err != nil {
			t.Fatal(err)
		}
		names[attrName(t, nk, n.A)] = true
		if n.T == typeFile {
			files++
			// Any access level may download.
			_, g := api(t, srv, bob.sid, cmd(t, map[string]any{"a": "g", "g": 1, "n": n.H}))
			if !strings.Contains(g, `"g":"http`) || !strings.Contains(g, `"s":100`) {
				t.Fatalf("recipient g of a shared file: %s", g)
			}
		}
	}
	for _, want := range []string{"Team", "team-dir-1", "team-file-1.bin", "team-file-2.bin"} {
		if !names[want] {
			t.Fatalf("recipient names %v lack %q", names, want)
		}
	}
	mustEqual(t, "files seen", files, 2)

	// The recipient was told: s2 with the RSA key, then t with the tree.
	_, sc := postSC(t, srv, bob.sid, bobSN)
	wantS2 := fmt.Sprintf(`{"a":"s2","i":"shareReq01","n":%q,"o":%q,"u":%q,"k":%q,"r":0,"ts":`, team, alice.handle, bob.handle, root.SK)
	if !strings.Contains(sc, wantS2) || !strings.Contains(sc, `{"a":"t","i":"shareReq01","t":{"f":[{"h":"`+team) {
		t.Fatalf("recipient packets: %s\nwant s2 %s and t", sc, wantS2)
	}
}

func TestShareErrors(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	nodes := wireNodes(t, fetchAll(t, srv, alice.sid))
	var file, root, trash string
	for _, n := range nodes {
		switch {
		case n.T == typeFile && file == "":
			file = n.H
		case n.T == typeRoot:
			root = n.H
		case n.T == typeTrash:
			trash = n.H
		}
	}
	good := buildShare(t, srv, alice, team, bobEmail, accessRead).cmd
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	target := func(u string, r any, k any) []any {
		m := map[string]any{"u": u}
		if r != nil {
			m["r"] = r
		}
		if k != nil {
			m["k"] = k
		}
		return []any{m}
	}
	goodK := good["s"].([]any)[0].(map[string]any)["k"]
	noCR := func(c map[string]any) map[string]any { delete(c, "cr"); return c }
	cases := []struct {
		name string
		sid  string
		cmd  map[string]any
		want string
	}{
		{"unknown recipient", alice.sid, with("s", target("nobody@example.com", 0, goodK)), "[-9]"},
		{"missing node", alice.sid, noCR(with("n", "AAAAAAAA")), "[-9]"},
		{"a file", alice.sid, noCR(with("n", file)), "[-11]"},
		{"cloud drive root", alice.sid, noCR(with("n", root)), "[-11]"},
		{"rubbish bin", alice.sid, noCR(with("n", trash)), "[-11]"},
		{"to oneself", alice.sid, with("s", target(testEmail, 0, goodK)), "[-2]"},
		{"bad access level", alice.sid, with("s", target(bobEmail, 3, goodK)), "[-2]"},
		{"no owner key", alice.sid, with("ok", nil), "[-2]"},
		{"short handle auth", alice.sid, with("ha", "AAAA"), "[-2]"},
		{"share key not RSA", alice.sid, with("s", target(bobEmail, 0, "AAAAAAAAAAAAAAAAAAAAAA")), "[-2]"},
		{"no targets", alice.sid, with("s", []any{}), "[-2]"},
		{"remove a non-recipient", alice.sid, with("s", target(bobEmail, nil, nil)), "[-9]"},
		{"cr names a node outside the share", alice.sid, with("cr", []any{[]string{team}, []string{root}, []any{0, 0, "AAAAAAAAAAAAAAAAAAAAAA"}}), "[-2]"},
		{"cr malformed", alice.sid, with("cr", []any{[]string{team}}), "[-2]"},
		{"cr wrong key length", alice.sid, with("cr", []any{[]string{team}, []string{team}, []any{0, 0, "AAAA"}}), "[-2]"},
	}
	for _, c := range cases {
		_, got := api(t, srv, c.sid, cmd(t, c.cmd))
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	// Nothing above created a share.
	mustEqual(t, "ok after refusals", string(fetchAll(t, srv, alice.sid)["ok"]), "[]")

	_, got := api(t, srv, alice.sid, cmd(t, good))
	if !strings.HasPrefix(got, `[{"r":[0]`) {
		t.Fatalf("share: %s", got)
	}
	// Sharing again with another owner key: the stored key comes back.
	other := with("ok", b64(randomBytes(16)))
	_, got = api(t, srv, alice.sid, cmd(t, other))
	mustEqual(t, "concurrent share key", got, fmt.Sprintf(`[{"ok":%q}]`, good["ok"]))

	// The recipient may read but not write a read-only share, nor re-share it.
	bnodes := wireNodes(t, fetchAll(t, srv, bob.sid))
	var sharedFile string
	for _, n := range bnodes {
		if n.T == typeFile && isUnder(bnodes, team, n.H) {
			sharedFile = n.H
		}
	}
	srv.mu.Lock()
	bobRoot := srv.accounts[bobEmail].rec.Root
	srv.mu.Unlock()
	refused := []struct {
		name string
		cmd  map[string]any
	}{
		{"mkdir in share", map[string]any{"a": "p", "t": team, "n": []any{map[string]any{"h": "xxxxxxxx", "t": 1, "a": fakeAttr, "k": fakeFolderKey}}}},
		{"rename shared file", map[string]any{"a": "a", "n": sharedFile, "attr": fakeAttr}},
		{"delete shared file", map[string]any{"a": "d", "n": sharedFile}},
		{"move shared file out", map[string]any{"a": "m", "n": sharedFile, "t": bobRoot}},
		{"link shared file", map[string]any{"a": "l", "n": sharedFile}},
		{"re-share", noCR(map[string]any{"a": "s2", "n": team, "ok": good["ok"], "ha": good["ha"], "s": target(testEmail, 0, goodK)})},
	}
	for _, c := range refused {
		_, got := api(t, srv, bob.sid, cmd(t, c.cmd))
		mustEqual(t, c.name, got, "[-11]")
	}

	// Removing the recipient: reply, and the share and its nodes are gone.
	_, got = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "s2", "n": team, "s": target(bob.handle, nil, nil)}))
	mustEqual(t, "remove", got, fmt.Sprintf(`[{"r":[0],"u":[{"u":%q,"m":%q}]}]`, bob.handle, bobEmail))
	if _, ok := wireNodes(t, fetchAll(t, srv, bob.sid))[team]; ok {
		t.Fatal("recipient still sees the share after removal")
	}
	mustEqual(t, "owner ok after removal", string(fetchAll(t, srv, alice.sid)["ok"]), "[]")
	_, got = api(t, srv, bob.sid, cmd(t, map[string]any{"a": "g", "g": 1, "n": sharedFile}))
	mustEqual(t, "g after removal", got, "[-9]")
}

func TestSharePacketsAndPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := Start(Options{DataDir: dir, Accounts: []Account{
		{Email: testEmail, Password: testPassword, Version: 1},
		{Email: bobEmail, Password: bobPassword, Version: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	sb := buildShare(t, srv, alice, team, bob.handle, accessRead)
	if _, got := api(t, srv, alice.sid, cmd(t, sb.cmd)); !strings.HasPrefix(got, `[{"r":[0]`) {
		t.Fatalf("share: %s", got)
	}
	var sn string
	_ = json.Unmarshal(fetchAll(t, srv, bob.sid)["sn"], &sn)

	// The owner adds a folder inside the share, with its key under the
	// share key in "cr" (what official clients send): the recipient gets
	// a "t" packet with a node keyed by the share.
	key := randomBytes(16)
	a, _ := attrEncrypt(key, []byte(`{"n":"later"}`))
	ek, _ := ecbEncrypt(alice.master, key)
	sk, _ := ecbEncrypt(sb.key, key)
	_, body := api(t, srv, alice.sid, cmd(t, map[string]any{"a": "p", "t": team, "i": "laterReq01",
		"n":  []any{map[string]any{"h": "xxxxxxxx", "t": 1, "a": a, "k": b64(ek)}},
		"cr": []any{[]string{team}, []string{"xxxxxxxx"}, []any{0, 0, b64(sk)}}}))
	var put []struct {
		F []struct {
			H string `json:"h"`
			K string `json:"k"`
		} `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &put); err != nil || len(put) != 1 || len(put[0].F) != 1 {
		t.Fatalf("p with cr: %s", body)
	}
	later := put[0].F[0].H
	mustEqual(t, "owner's k of the new node", put[0].F[0].K, alice.handle+":"+b64(ek))
	_, sc := postSC(t, srv, bob.sid, sn)
	want := fmt.Sprintf(`{"a":"t","i":"laterReq01","t":{"f":[{"h":%q,"p":%q,"u":%q,"t":1,"a":%q,"k":"%s:%s"`, later, team, alice.handle, a, team, b64(sk))
	if !strings.Contains(sc, want) {
		t.Fatalf("recipient packets: %s\nwant %s", sc, want)
	}
	var ev struct {
		SN string `json:"sn"`
	}
	_ = json.Unmarshal([]byte(sc), &ev)

	// A rename and a deletion inside the share reach the recipient too.
	a2, _ := attrEncrypt(key, []byte(`{"n":"renamed"}`))
	mustEqual(t, "rename", func() string {
		_, b := api(t, srv, alice.sid, cmd(t, map[string]any{"a": "a", "n": later, "attr": a2, "i": "renameReq1"}))
		return b
	}(), "[0]")
	mustEqual(t, "delete", func() string {
		_, b := api(t, srv, alice.sid, cmd(t, map[string]any{"a": "d", "n": later, "i": "deleteReq1"}))
		return b
	}(), "[0]")
	_, sc = postSC(t, srv, bob.sid, ev.SN)
	for _, w := range []string{
		fmt.Sprintf(`{"a":"u","i":"renameReq1","n":%q,"u":%q,"at":%q`, later, alice.handle, a2),
		fmt.Sprintf(`{"a":"d","i":"deleteReq1","n":%q,"ou":%q}`, later, alice.handle),
	} {
		if !strings.Contains(sc, w) {
			t.Fatalf("recipient packets: %s\nwant %s", sc, w)
		}
	}

	// Shares survive a restart; the share key is never held in clear, in
	// memory or on disk.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2, err := Start(Options{DataDir: dir, Accounts: []Account{
		{Email: testEmail, Password: testPassword, Version: 1},
		{Email: bobEmail, Password: bobPassword, Version: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.Close() })
	bob2 := party(t, srv2, bobEmail, bobPassword)
	root, ok := wireNodes(t, fetchAll(t, srv2, bob2.sid))[team]
	if !ok || root.SU != alice.handle || root.SK == "" {
		t.Fatalf("after restart the recipient's share root is %+v (present %v)", root, ok)
	}
	var held [][]byte
	held = append(held, srv2.dumpState())
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				held = append(held, b)
			}
		}
		return nil
	})
	for _, h := range held {
		for _, form := range secretsOf(sb.key) {
			if bytes.Contains(h, form) {
				t.Fatalf("the share key is stored in clear (%q)", form)
			}
		}
	}
	if !bytes.Contains(held[0], []byte(sb.cmd["ok"].(string))) {
		t.Fatal("the dump does not hold the owner's encrypted share key: it checks nothing")
	}
	alice2 := party(t, srv2, testEmail, testPassword)
	mustEqual(t, "owner ok after restart", string(fetchAll(t, srv2, alice2.sid)["ok"]), fmt.Sprintf(`[{"h":%q,"k":%q,"ha":%q}]`, team, sb.cmd["ok"], sb.cmd["ha"]))
}

func TestShareReadWrite(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	sb := buildShare(t, srv, alice, team, bobEmail, accessReadWrite)
	if _, got := api(t, srv, alice.sid, cmd(t, sb.cmd)); !strings.HasPrefix(got, `[{"r":[0]`) {
		t.Fatalf("share: %s", got)
	}

	// Bob creates a folder in the share, its key under his master key and,
	// in "cr", under the share key.
	key := randomBytes(16)
	a, _ := attrEncrypt(key, []byte(`{"n":"from bob"}`))
	ek, _ := ecbEncrypt(bob.master, key)
	sk, _ := ecbEncrypt(sb.key, key)
	_, body := api(t, srv, bob.sid, cmd(t, map[string]any{"a": "p", "t": team,
		"n":  []any{map[string]any{"h": "xxxxxxxx", "t": 1, "a": a, "k": b64(ek)}},
		"cr": []any{[]string{team}, []string{"xxxxxxxx"}, []any{0, 0, b64(sk)}}}))
	var put []struct {
		F []struct {
			H string `json:"h"`
			U string `json:"u"`
			K string `json:"k"`
		} `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &put); err != nil || len(put) != 1 || len(put[0].F) != 1 {
		t.Fatalf("p into a read-write share: %s", body)
	}
	got := put[0].F[0]
	mustEqual(t, "creator", got.U, bob.handle)
	mustEqual(t, "creator's k", got.K, bob.handle+":"+b64(ek)+"/"+team+":"+b64(sk))

	// The owner sees it (it lives in the owner's tree) through the share key only.
	an := wireNodes(t, fetchAll(t, srv, alice.sid))[got.H]
	mustEqual(t, "owner's view: parent", an.P, team)
	mustEqual(t, "owner's view: u", an.U, bob.handle)
	mustEqual(t, "owner's view: k", an.K, team+":"+b64(sk))
	raw, _ := unb64(strings.TrimPrefix(an.K, team+":"))
	nk, _ := ecbDecrypt(sb.key, raw)
	mustEqual(t, "owner decrypts the name", attrName(t, nk, an.A), "from bob")

	// Bob's own view keeps his entry too; moving, renaming or deleting
	// inside a share is refused (megasim lets recipients only add).
	bn := wireNodes(t, fetchAll(t, srv, bob.sid))[got.H]
	mustEqual(t, "recipient's view: k", bn.K, bob.handle+":"+b64(ek)+"/"+team+":"+b64(sk))
	_, body = api(t, srv, bob.sid, cmd(t, map[string]any{"a": "d", "n": got.H}))
	mustEqual(t, "delete in a read-write share", body, "[-11]")
}

// TestNestedShares: a folder shared inside a shared folder reaches its
// recipient once, parents before children, with both roots marked.
func TestNestedShares(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	var inner string
	for _, n := range wireNodes(t, fetchAll(t, srv, alice.sid)) {
		if n.P == team && n.T == typeFolder {
			inner = n.H
		}
	}
	if inner == "" {
		t.Fatal("no sub-folder in Team")
	}
	// The inner share first, so that its handle may sort either way.
	for _, h := range []string{inner, team} {
		sb := buildShare(t, srv, alice, h, bobEmail, accessRead)
		if _, got := api(t, srv, alice.sid, cmd(t, sb.cmd)); !strings.HasPrefix(got, `[{"r":[0]`) {
			t.Fatalf("share %s: %s", h, got)
		}
	}
	var raw []struct {
		H  string `json:"h"`
		P  string `json:"p"`
		SU string `json:"su"`
	}
	if err := json.Unmarshal(fetchAll(t, srv, bob.sid)["f"], &raw); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	roots := 0
	for _, n := range raw {
		if seen[n.H] {
			t.Fatalf("node %s sent twice", n.H)
		}
		if (n.P == team || n.P == inner) && !seen[n.P] {
			t.Fatalf("node %s comes before its parent %s", n.H, n.P)
		}
		seen[n.H] = true
		if n.SU != "" {
			roots++
		}
	}
	mustEqual(t, "share roots marked", roots, 2)
	if !seen[team] || !seen[inner] {
		t.Fatal("a share root is missing")
	}
}

func TestShareFullAccess(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	bob := party(t, srv, bobEmail, bobPassword)
	team := teamFolder(t, srv, alice, testPassword)
	sb := buildShare(t, srv, alice, team, bobEmail, accessFull)
	if _, got := api(t, srv, alice.sid, cmd(t, sb.cmd)); !strings.HasPrefix(got, `[{"r":[0]`) {
		t.Fatalf("share: %s", got)
	}
	var aliceSN string
	_ = json.Unmarshal(fetchAll(t, srv, alice.sid)["sn"], &aliceSN)
	before := wireNodes(t, fetchAll(t, srv, alice.sid))
	var files []string
	var sub string
	for _, n := range before {
		switch {
		case n.T == typeFile && isUnder(before, team, n.H):
			files = append(files, n.H)
		case n.T == typeFolder && n.P == team:
			sub = n.H
		}
	}
	if len(files) != 2 || sub == "" {
		t.Fatalf("Team holds %d files and sub-folder %q", len(files), sub)
	}
	srv.mu.Lock()
	bobRoot := srv.accounts[bobEmail].rec.Root
	srv.mu.Unlock()

	// Rename: the attribute changes; a "key" under bob's master key is
	// ignored for a node alice created.
	calls := []struct {
		name string
		cmd  map[string]any
		want string
	}{
		{"rename", map[string]any{"a": "a", "n": files[0], "attr": fakeAttr, "key": b64(randomBytes(32)), "i": "fullRen001"}, "[0]"},
		{"move within the share", map[string]any{"a": "m", "n": files[0], "t": sub, "i": "fullMov001"}, "[0]"},
		{"delete", map[string]any{"a": "d", "n": files[1], "i": "fullDel001"}, "[0]"},
		{"move out of the share", map[string]any{"a": "m", "n": files[0], "t": bobRoot}, "[-11]"},
		{"move the share root", map[string]any{"a": "m", "n": team, "t": sub}, "[-11]"},
		{"delete the share root", map[string]any{"a": "d", "n": team}, "[-11]"},
		{"link", map[string]any{"a": "l", "n": files[0]}, "[-11]"},
	}
	for _, c := range calls {
		_, got := api(t, srv, bob.sid, cmd(t, c.cmd))
		mustEqual(t, c.name, got, c.want)
	}
	after := wireNodes(t, fetchAll(t, srv, alice.sid))
	f0 := after[files[0]]
	mustEqual(t, "renamed attr", f0.A, fakeAttr)
	mustEqual(t, "key kept", f0.K, before[files[0]].K)
	mustEqual(t, "moved", f0.P, sub)
	if _, ok := after[files[1]]; ok {
		t.Fatal("the deleted file is still in the owner's tree")
	}
	_, sc := postSC(t, srv, alice.sid, aliceSN)
	for _, w := range []string{`{"a":"u","i":"fullRen001"`, `{"a":"d","i":"fullMov001","n":"` + files[0] + `","m":1`, `{"a":"d","i":"fullDel001","n":"` + files[1] + `"`} {
		if !strings.Contains(sc, w) {
			t.Fatalf("owner's packets: %s\nwant %s", sc, w)
		}
	}
}
