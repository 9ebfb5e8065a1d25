package keyring

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/megatui/megatui/model"
)

// Environment variables read by Resolve.
const (
	EnvUser     = "MEGATUI_USER"
	EnvPassword = "MEGATUI_PASSWORD"
)

// Source says where resolved credentials came from.
type Source int

const (
	SourceNone Source = iota
	// SourceSession: a stored session; no password login is needed.
	SourceSession
	// SourceEnv: the MEGATUI_PASSWORD environment variable.
	SourceEnv
	// SourceRemembered: the password remembered in the keyring.
	SourceRemembered
	// SourcePrompt: typed by the user at the prompt.
	SourcePrompt
)

func (s Source) String() string {
	switch s {
	case SourceSession:
		return "stored session"
	case SourceEnv:
		return EnvPassword
	case SourceRemembered:
		return "remembered password"
	case SourcePrompt:
		return "prompt"
	default:
		return "none"
	}
}

// SecretSource is what Resolve reads from; *Store satisfies it.
type SecretSource interface {
	LoadSession(remote string) (Session, error)
	LoadPassword(remote string) (string, error)
}

// PromptFunc asks the user for the password of remote. Turning echo off is
// the caller's job. Returning an error wrapping model.ErrCancelled stops
// resolution.
type PromptFunc func(ctx context.Context, remote, email string) (string, error)

// Resolver finds credentials for a remote, in this order:
//
//  1. a session stored in the keyring (resume, no password login);
//  2. MEGATUI_PASSWORD (when MEGATUI_USER is unset or names the same
//     e-mail);
//  3. a password remembered in the keyring;
//  4. the interactive prompt, if one is given;
//
// and otherwise fails with an error wrapping model.ErrNoCredentials that
// says what to do. Credentials are never read from a plaintext file.
type Resolver struct {
	Store SecretSource
	// Getenv reads the environment; nil means no environment.
	Getenv func(string) string
	// Prompt asks for the password; nil means non-interactive.
	Prompt PromptFunc
}

// Credentials are the resolved secrets of one remote.
type Credentials struct {
	Remote string
	Email  string
	Source Source
	// Session is set when Source is SourceSession.
	Session Session
	// Password is set for the other sources.
	Password string
	// KeyringProblem is the keyring failure met on the way (locked, no
	// Secret Service), if any: resolution fell back, and the UI should
	// tell the user why their session was not remembered.
	KeyringProblem error
}

// String describes the credentials without secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("credentials{remote: %q, email: %q, source: %s}", c.Remote, c.Email, c.Source)
}

// GoString is String, so %#v redacts too.
func (c Credentials) GoString() string { return c.String() }

// Resolve finds credentials for remote (whose configured e-mail is email,
// possibly empty).
func (r Resolver) Resolve(ctx context.Context, remote, email string) (Credentials, error) {
	getenv := r.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	c := Credentials{Remote: remote, Email: email}
	var problems []error
	note := func(err error) {
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			problems = append(problems, err)
			if c.KeyringProblem == nil {
				c.KeyringProblem = err
			}
		}
	}

	if r.Store != nil {
		sess, err := r.Store.LoadSession(remote)
		switch {
		case err == nil && (email == "" || strings.EqualFold(sess.Email, email)):
			c.Source, c.Session = SourceSession, sess
			if c.Email == "" {
				c.Email = sess.Email
			}
			return c, nil
		case err == nil:
			// A session of another account: the remote was re-pointed.
		default:
			note(err)
		}
	}

	if pw := getenv(EnvPassword); pw != "" {
		user := getenv(EnvUser)
		if user == "" || email == "" || strings.EqualFold(user, email) {
			c.Source, c.Password = SourceEnv, pw
			if c.Email == "" {
				c.Email = user
			}
			return c, nil
		}
	}

	// A keyring that just failed (locked, absent) is not asked again: a
	// locked one could make the user wait for a second timeout.
	if r.Store != nil && c.KeyringProblem == nil {
		pw, err := r.Store.LoadPassword(remote)
		if err == nil && pw != "" {
			c.Source, c.Password = SourceRemembered, pw
			return c, nil
		}
		note(err)
	}

	if r.Prompt != nil {
		if err := ctx.Err(); err != nil {
			return Credentials{}, fmt.Errorf("credentials for remote %q: %w: %w", remote, model.ErrCancelled, err)
		}
		pw, err := r.Prompt(ctx, remote, email)
		if err != nil {
			return Credentials{}, fmt.Errorf("credentials for remote %q: password prompt: %w", remote, err)
		}
		if pw == "" {
			return Credentials{}, fmt.Errorf("credentials for remote %q: empty password: %w", remote, model.ErrNoCredentials)
		}
		c.Source, c.Password = SourcePrompt, pw
		return c, nil
	}

	msg := fmt.Sprintf("credentials for remote %q: no stored session, no %s and no terminal to ask on: "+
		"run megatui login %s, or set %s for this run", remote, EnvPassword, remote, EnvPassword)
	if len(problems) > 0 {
		return Credentials{}, fmt.Errorf("%s: %w: %w", msg, model.ErrNoCredentials, errors.Join(problems...))
	}
	return Credentials{}, fmt.Errorf("%s: %w", msg, model.ErrNoCredentials)
}
