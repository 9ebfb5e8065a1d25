package keyring

import (
	"context"
	"errors"
	"strings"
	"testing"

	dbus "github.com/godbus/dbus/v5"

	"github.com/megatui/megatui/model"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// promptRecorder is an injected prompt that records whether it was asked.
type promptRecorder struct {
	answer string
	err    error
	asked  int
}

func (p *promptRecorder) prompt(_ context.Context, _, _ string) (string, error) {
	p.asked++
	return p.answer, p.err
}

func TestResolveOrder(t *testing.T) {
	t.Parallel()
	type setup struct {
		session    bool
		sessionFor string // e-mail in the stored session; default alice
		remembered string
		env        map[string]string
		backendErr error
		prompt     *promptRecorder
	}
	tests := []struct {
		name        string
		setup       setup
		email       string
		wantSource  Source
		wantPass    string
		wantErr     error
		wantErrText string
		wantProblem error
		wantAsked   int
	}{
		{name: "session wins over everything",
			setup: setup{session: true, remembered: "remembered-secret-1", env: map[string]string{EnvPassword: "env-secret-2"},
				prompt: &promptRecorder{answer: "typed-secret-3"}},
			email: "alice@example.com", wantSource: SourceSession},
		{name: "session without configured email",
			setup: setup{session: true}, wantSource: SourceSession},
		{name: "session of another account is ignored",
			setup: setup{session: true, sessionFor: "bob@example.com", env: map[string]string{EnvPassword: "env-secret-2"}},
			email: "alice@example.com", wantSource: SourceEnv, wantPass: "env-secret-2"},
		{name: "env password next",
			setup: setup{remembered: "remembered-secret-1", env: map[string]string{EnvPassword: "env-secret-2"}, prompt: &promptRecorder{answer: "typed-secret-3"}},
			email: "alice@example.com", wantSource: SourceEnv, wantPass: "env-secret-2"},
		{name: "env password with matching user",
			setup: setup{env: map[string]string{EnvPassword: "env-secret-2", EnvUser: "ALICE@example.com"}},
			email: "alice@example.com", wantSource: SourceEnv, wantPass: "env-secret-2"},
		{name: "env password of another user is not used",
			setup: setup{remembered: "remembered-secret-1", env: map[string]string{EnvPassword: "env-secret-2", EnvUser: "bob@example.com"}},
			email: "alice@example.com", wantSource: SourceRemembered, wantPass: "remembered-secret-1"},
		{name: "remembered password next",
			setup: setup{remembered: "remembered-secret-1", prompt: &promptRecorder{answer: "typed-secret-3"}},
			email: "alice@example.com", wantSource: SourceRemembered, wantPass: "remembered-secret-1"},
		{name: "prompt last",
			setup: setup{prompt: &promptRecorder{answer: "typed-secret-3"}},
			email: "alice@example.com", wantSource: SourcePrompt, wantPass: "typed-secret-3", wantAsked: 1},
		{name: "nothing, non-interactive",
			setup: setup{}, email: "alice@example.com",
			wantErr: model.ErrNoCredentials, wantErrText: "run megatui login work, or set MEGATUI_PASSWORD"},
		{name: "prompt cancelled",
			setup: setup{prompt: &promptRecorder{err: model.ErrCancelled}}, email: "alice@example.com",
			wantErr: model.ErrCancelled, wantAsked: 1},
		{name: "empty answer",
			setup: setup{prompt: &promptRecorder{answer: ""}}, email: "alice@example.com",
			wantErr: model.ErrNoCredentials, wantAsked: 1},
		{name: "no secret service falls back to env",
			setup: setup{backendErr: dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"},
				env: map[string]string{EnvPassword: "env-secret-2"}},
			email: "alice@example.com", wantSource: SourceEnv, wantPass: "env-secret-2", wantProblem: model.ErrNoSecretService},
		{name: "locked keyring falls back to prompt",
			setup: setup{backendErr: dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"},
				prompt: &promptRecorder{answer: "typed-secret-3"}},
			email: "alice@example.com", wantSource: SourcePrompt, wantPass: "typed-secret-3", wantAsked: 1,
			wantProblem: model.ErrKeyringLocked},
		{name: "no secret service and nothing else",
			setup: setup{backendErr: dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}},
			email: "alice@example.com", wantErr: model.ErrNoSecretService,
			wantErrText: "no Secret Service on D-Bus (headless session?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := newMemBackend()
			store := NewWithBackend(mem)
			if tt.setup.session {
				sess := testSession()
				if tt.setup.sessionFor != "" {
					sess.Email = tt.setup.sessionFor
				}
				if err := store.SaveSession("work", sess); err != nil {
					t.Fatal(err)
				}
			}
			if tt.setup.remembered != "" {
				if err := store.SavePassword("work", tt.setup.remembered); err != nil {
					t.Fatal(err)
				}
			}
			mem.err = tt.setup.backendErr
			r := Resolver{Store: store, Getenv: envMap(tt.setup.env)}
			if tt.setup.prompt != nil {
				r.Prompt = tt.setup.prompt.prompt
			}
			got, err := r.Resolve(context.Background(), "work", tt.email)
			if tt.setup.prompt != nil && tt.setup.prompt.asked != tt.wantAsked {
				t.Errorf("prompt asked %d times, want %d", tt.setup.prompt.asked, tt.wantAsked)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErrText) {
					t.Errorf("error %q lacks %q", err, tt.wantErrText)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got.Source != tt.wantSource || got.Password != tt.wantPass {
				t.Errorf("got source %v password %q, want %v %q", got.Source, got.Password, tt.wantSource, tt.wantPass)
			}
			if tt.wantSource == SourceSession && got.Session.SessionID != testSession().SessionID {
				t.Errorf("session not returned: %+v", got.Session)
			}
			if tt.wantProblem != nil && !errors.Is(got.KeyringProblem, tt.wantProblem) {
				t.Errorf("KeyringProblem: got %v, want %v", got.KeyringProblem, tt.wantProblem)
			}
			if tt.wantProblem == nil && got.KeyringProblem != nil {
				t.Errorf("KeyringProblem: got %v, want nil", got.KeyringProblem)
			}
			if s := got.String(); strings.Contains(s, got.Password) && got.Password != "" {
				t.Errorf("Credentials.String %q leaks the password", s)
			}
		})
	}
}

func TestResolveWithoutStore(t *testing.T) {
	t.Parallel()
	r := Resolver{Getenv: envMap(map[string]string{EnvPassword: "env-secret-2", EnvUser: "ci@example.com"})}
	got, err := r.Resolve(context.Background(), "mega", "")
	if err != nil || got.Source != SourceEnv || got.Email != "ci@example.com" {
		t.Errorf("got %v, %v; want env credentials for ci@example.com", got, err)
	}
}

func TestResolveCancelledContextDoesNotPrompt(t *testing.T) {
	t.Parallel()
	p := &promptRecorder{answer: "typed-secret-3"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Resolver{Prompt: p.prompt}.Resolve(ctx, "work", "a@b.c")
	if !errors.Is(err, model.ErrCancelled) || p.asked != 0 {
		t.Errorf("got %v with %d prompts, want ErrCancelled and no prompt", err, p.asked)
	}
}
