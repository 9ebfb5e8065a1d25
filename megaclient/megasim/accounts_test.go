package megasim

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

func TestLoginVersions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{Accounts: []Account{
		{Email: "V1@Example.com", Password: "one", Version: 1},
		{Email: "v2@example.com", Password: "two"},
	}})
	for _, tc := range []struct {
		name, email, password string
		want                  error
	}{
		{"v1 ok, mixed-case e-mail", "v1@EXAMPLE.com", "one", nil},
		{"v2 ok", "v2@example.com", "two", nil},
		{"v1 wrong password", "v1@example.com", "two", mega.ENOENT},
		{"v2 wrong password", "v2@example.com", "one", mega.ENOENT},
		{"unknown user", "nobody@example.com", "one", mega.ENOENT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newClient(t, srv)
			err := m.Login(tc.email, tc.password)
			if !errors.Is(err, tc.want) {
				t.Fatalf("login: got %v, want %v", err, tc.want)
			}
			if err == nil {
				u, err := m.GetUser()
				if err != nil {
					t.Fatal(err)
				}
				mustEqual(t, "ug email", u.Email, strings.ToLower(tc.email))
				mustEqual(t, "root name", m.FS.GetRoot().GetName(), "Cloud Drive")
			}
		})
	}
}

func TestTwoFactor(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXP"
	srv := startServer(t, Options{Accounts: []Account{{Email: testEmail, Password: testPassword, TOTPSecret: secret}}})
	m := newClient(t, srv)
	if err := m.Login(testEmail, testPassword); !errors.Is(err, mega.EMFAREQUIRED) {
		t.Fatalf("login without code: got %v, want %v", err, mega.EMFAREQUIRED)
	}
	if err := m.MultiFactorLogin(testEmail, testPassword, wrongCode(t, secret)); !errors.Is(err, mega.EMFAREQUIRED) {
		t.Fatalf("login with wrong code: got %v, want %v", err, mega.EMFAREQUIRED)
	}
	code, err := TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.MultiFactorLogin(testEmail, testPassword, code); err != nil {
		t.Fatalf("login with valid code: %v", err)
	}
	if m.FS.GetRoot() == nil {
		t.Fatal("no root after 2FA login")
	}
}

// wrongCode returns a 6-digit code valid in none of the accepted steps.
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-time.Minute, -30 * time.Second, 0, 30 * time.Second, time.Minute} {
		c, err := TOTPCode(secret, time.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// RFC 6238 appendix B test vector (SHA-1, 8 digits there; we use the low 6).
func TestTOTPVector(t *testing.T) {
	t.Parallel()
	// "12345678901234567890" in base32.
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		got, err := TOTPCode(secret, time.Unix(tc.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "totp", got, tc.want)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	m := login(t, srv, testEmail, testPassword)
	sid := m.GetSessionID()
	mustEqual(t, "sid length", len(sid), 58)
	raw, err := unb64(sid)
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.GetUser()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "sid bytes 16..26 = user handle", string(raw[16:27]), u.U)

	for _, tc := range []struct {
		name, sid, body, want string
	}{
		{"valid sid", sid, `[{"a":"uq","xfer":1,"strg":1}]`, ""},
		{"unknown sid", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", `[{"a":"ug"}]`, "-15"},
		{"no sid for f", "", `[{"a":"f","c":1}]`, "-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body := api(t, srv, tc.sid, tc.body)
			if tc.want != "" {
				mustEqual(t, "reply", body, tc.want)
			} else if body[0] != '[' || body == "[-15]" {
				t.Fatalf("reply: got %s, want a result array", body)
			}
		})
	}
	_, body := api(t, srv, sid, `[{"a":"sml"}]`)
	mustEqual(t, "sml", body, "[0]")
	_, body = api(t, srv, sid, `[{"a":"ug"}]`)
	mustEqual(t, "after logout", body, "-15")
	code, body := postSC(t, srv, sid, "AAAAAAAAAAA")
	mustEqual(t, "sc after logout", body, "-15")
	mustEqual(t, "sc status", code, 200)
}

func TestExpireSessions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	m := login(t, srv, testEmail, testPassword)
	mustEqual(t, "expired", srv.ExpireSessions(strings.ToUpper(testEmail)), 1)
	if _, err := m.GetUser(); !errors.Is(err, mega.ESID) {
		t.Fatalf("after expiry: got %v, want %v", err, mega.ESID)
	}
	login(t, srv, testEmail, testPassword) // a fresh login works
	mustEqual(t, "unknown account", srv.ExpireSessions("nobody@example.com"), 0)
}

// TestKeyLayout checks what other clients (SDK, megatools, megajs) rely
// on: privk is p, q, d, u MPIs (u = p⁻¹ mod q) under the master key,
// pubk is n and a 4-byte e, sizes match a 2048-bit key, and f carries
// the arrays every client expects.
func TestKeyLayout(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	m := login(t, srv, testEmail, testPassword)
	u, err := m.GetUser()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "privk length", len(u.Privk), 875)
	mustEqual(t, "ts length", len(u.TS), 43)
	mustEqual(t, "user handle length", len(u.U), 11)
	enc, err := unb64(u.Privk)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecbDecrypt(m.GetMasterKey(), enc)
	if err != nil {
		t.Fatal(err)
	}
	var parts [4]*big.Int
	rest := priv
	for i := range parts {
		if parts[i], rest, err = readMPI(rest); err != nil {
			t.Fatalf("privk MPI %d: %v", i, err)
		}
	}
	p, q, d, uu := parts[0], parts[1], parts[2], parts[3]
	pub, err := unb64(u.Pubk)
	if err != nil {
		t.Fatal(err)
	}
	n, erest, err := readMPI(pub)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "e MPI bit count", int(erest[0])<<8|int(erest[1]), 32)
	e, _, err := readMPI(erest)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "n = p·q", new(big.Int).Mul(p, q).Cmp(n), 0)
	mustEqual(t, "u·p mod q", new(big.Int).Mod(new(big.Int).Mul(uu, p), q).Int64(), int64(1))
	mustEqual(t, "modulus bits", n.BitLen(), 2048)
	msg := big.NewInt(123456789)
	back := new(big.Int).Exp(new(big.Int).Exp(msg, e, n), d, n)
	mustEqual(t, "d inverts e", back.Cmp(msg), 0)
	// ts = 16 random bytes ‖ AES(master, them).
	ts, err := unb64(u.TS)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := ecbEncrypt(m.GetMasterKey(), ts[:16])
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "ts check block", string(chk), string(ts[16:]))

	_, body := api(t, srv, m.GetSessionID(), `[{"a":"f","c":1,"r":1}]`)
	for _, want := range []string{`"ok":[]`, `"s":[]`, `"u":[{"u":"` + u.U + `","c":2,"m":"` + testEmail + `"`, `"noc":1}`} {
		if !strings.Contains(body, want) {
			t.Errorf("f reply lacks %s: %.300s", want, body)
		}
	}
	if !strings.HasPrefix(body, `[{"f":[{"h":"`) || !strings.Contains(body, `"t":2,"a":"","ts":`) {
		t.Errorf("f reply shape: %.300s", body)
	}
}
