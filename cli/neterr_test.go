package cli

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient/megasim"
)

// runAgainst runs megatui with the remote "mega" at apiURL and the
// default HTTP client (which does not trust megasim's CA).
func runAgainst(t *testing.T, apiURL string, args ...string) (int, string) {
	t.Helper()
	state := t.TempDir()
	env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": apiURL,
		"XDG_STATE_HOME": state, "HOME": state, "MEGATUI_KEYRING": "off"}
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }}}, "test")
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	start := time.Now()
	err := root.ExecuteContext(context.Background())
	var msg bytes.Buffer
	code := ExitCode(err, &msg)
	t.Logf("megatui %s: exit %d after %v", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	return code, strings.TrimSpace(msg.String())
}

func TestCLINetworkErrors(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tlsURL := "https://" + strings.TrimPrefix(s.URL(), "http://")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"refused", []string{"ls", "mega:"}, `megatui: login to "mega" failed: cannot reach the MEGA API at ` + closed +
			`: connection refused: check the network connection and the API URL`},
		{"DNS", []string{"ls", "mega:"}, `megatui: login to "mega" failed: cannot reach the MEGA API at http://megatui-test.invalid` +
			`: host megatui-test.invalid not found (DNS): check the network connection and the API URL`},
		{"TLS", []string{"mkdir", "mega:/x"}, `megatui: login to "mega" failed: cannot reach the MEGA API at ` + tlsURL +
			`: TLS certificate not trusted`},
		{"refused, link", []string{"copy", "https://mega.nz/folder/AbCdEfGh#AAAAAAAAAAAAAAAAAAAAAA", t.TempDir()},
			`megatui: cannot reach the MEGA API at ` + closed + `: connection refused: check the network connection and the API URL`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := closed
			switch tc.name {
			case "DNS":
				url = "http://megatui-test.invalid"
			case "TLS":
				url = tlsURL
			}
			code, msg := runAgainst(t, url, tc.args...)
			if code != 1 || !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "JSON") {
				t.Fatalf("exit %d, message\n%s\nwant exit 1 and\n%s", code, msg, tc.want)
			}
		})
	}
}

func TestCLIServerStopsMidCopy(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	copyTree(t, src, 3, 1000)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/up"); err != nil {
		t.Fatalf("copy: %v\n%s", err, se)
	}
	url := s.URL()
	s.Close()
	code, msg := runAgainst(t, url, "ls", "mega:/up")
	want := `cannot reach the MEGA API at ` + url + `: connection refused`
	if code != 1 || !strings.Contains(msg, want) {
		t.Fatalf("exit %d, %q; want exit 1 saying %q", code, msg, want)
	}
}

func TestCLIServiceRefusals(t *testing.T) {
	t.Parallel()
	s, err := megasim.Start(megasim.Options{QuotaBytes: 5000, Accounts: []megasim.Account{{Email: cliEmail, Password: cliPass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src := t.TempDir()
	copyTree(t, src, 1, 10000)
	// Over the storage quota: the upload fails with its own message.
	_, se, err := runCopyCLI(t, s, t.TempDir(), src, "mega:/full")
	if err == nil || !strings.Contains(se, "over storage quota") {
		t.Errorf("upload over quota: %v, stderr %q", err, se)
	}
	msgs := map[string]string{}
	s.RefuseConnections(true)
	code, msg := runCLIExit(t, s, "ls", "mega:")
	s.RefuseConnections(false)
	msgs["too many connections"] = msg
	if code != 1 || !strings.Contains(msg, "too many connections") || !strings.Contains(msg, "close other MEGA apps") {
		t.Errorf("too many connections: exit %d, %q", code, msg)
	}
	s.BlockAccount(cliEmail, true)
	code, msg = runCLIExit(t, s, "ls", "mega:")
	msgs["blocked"] = msg
	if code != 1 || !strings.Contains(msg, "MEGA has blocked the account") {
		t.Errorf("blocked: exit %d, %q", code, msg)
	}
	t.Logf("over quota: %s", se)
	t.Logf("messages: %q", msgs)
	if msgs["blocked"] == msgs["too many connections"] {
		t.Error("two refusals, one message")
	}
}

// runCLIExit runs megatui in-process against s and returns the exit
// status and the one-line message.
func runCLIExit(t *testing.T, s *megasim.Server, args ...string) (int, string) {
	t.Helper()
	_, err := runCLI(t, s, args...)
	var msg bytes.Buffer
	return ExitCode(err, &msg), strings.TrimSpace(msg.String())
}
