package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/model"
)

// Env is what the CLI commands read from the outside world: what opening
// a remote needs (the environment, the keyring, a no-echo prompt) and the
// terminal's stdin. main passes ProcessEnv; tests build their own, so they
// can run in parallel against their own server and keyring.
type Env struct {
	account.Env
	// Stdin feeds --password-stdin; nil reads nothing.
	Stdin io.Reader
	// ReadLine asks for a line; nil when there is no terminal to ask on.
	ReadLine func(prompt string) (string, error)
}

// withDefaults fills what env leaves unset.
func (env Env) withDefaults() Env {
	env.Env = env.Env.WithDefaults()
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	return env
}

// ProcessEnv is the real world: environment, OS keyring, stdin/stderr,
// and prompts when stdin is a terminal.
func ProcessEnv() Env {
	env := Env{Env: account.Env{Getenv: os.Getenv, Keys: keyring.New(), Stderr: os.Stderr}, Stdin: os.Stdin}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		env.ReadSecret = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return "", fmt.Errorf("read from the terminal: %w", err)
			}
			return string(b), nil
		}
		env.ReadLine = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			return readLine(os.Stdin)
		}
	}
	return env
}

// readLine reads one line byte by byte (no buffering, so nothing meant
// for a later no-echo read is swallowed).
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var one [1]byte
	for b.Len() < 4096 {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			b.WriteByte(one[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				return "", fmt.Errorf("read: %w", model.ErrCancelled)
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("read: %w", err)
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}
