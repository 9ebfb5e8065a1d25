package ui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/login"
	"github.com/megatui/megatui/ui/pane"
)

// Authenticator logs in to a filesystem that has no usable session. Its
// errors wrap model sentinels: ErrLoginFailed (wrong e-mail or password),
// ErrMFARequired (a two-factor code is needed, or was missing),
// ErrMFAInvalid (the code was wrong), ErrBlocked, ErrRateLimited and
// ErrUnreachable; the form shows a distinct message for each. Login runs
// in a tea.Cmd; Email must be cheap (no I/O).
type Authenticator interface {
	// Email is the account's e-mail when known ("" otherwise), to prefill.
	Email() string
	// Login logs in and keeps the session (in the keyring); with remember
	// it stores the password too, for unattended re-login.
	Login(ctx context.Context, email, password, code string, remember bool) error
}

// loginSession is the open login form.
type loginSession struct {
	pane int
	dir  string // the folder whose listing needed the login
	fs   FS
	auth Authenticator
	form login.Model
	seq  uint64
}

// loginResultMsg answers a login attempt.
type loginResultMsg struct {
	seq uint64
	err error
}

// authFor returns the Authenticator of fs, if any.
func (a *App) authFor(fs FS) (Authenticator, bool) {
	if au, ok := a.auth[fs]; ok {
		return au, true
	}
	au, ok := fs.(Authenticator)
	return au, ok
}

// needsLogin reports whether err means "no usable session".
func needsLogin(err error) bool {
	return errors.Is(err, model.ErrNoCredentials) || errors.Is(err, model.ErrSessionExpired)
}

// openLogin shows the login form for pane p's filesystem.
func (a *App) openLogin(p int, dir string, au Authenticator) {
	if s := a.loginForm(); s != nil && s.fs == a.fs[p] {
		return
	}
	a.loginSeq++
	s := &loginSession{pane: p, dir: dir, fs: a.fs[p], auth: au, seq: a.loginSeq,
		form: login.New(a.fs[p].Label(), au.Email(), a.st, a.keys.Login)}
	s.form.SetSize(min(a.width-2, 72), a.height)
	// The form replaces whatever was asked of the old session (and an
	// older form).
	a.closeAll(func(o overlay) bool {
		switch o.(type) {
		case *dialogOverlay, *loginSession:
			return true
		}
		return false
	})
	a.push(s)
}

// onLoginKey gives a message to the form and carries out its request.
func (a *App) onLoginKey(s *loginSession, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	s.form, cmd = s.form.Update(msg)
	switch r := s.form.Request().(type) {
	case login.Cancel:
		a.close(s)
		a.setMessage(msgInfo, "not logged in to "+pane.DisplayName(s.fs.Label())+": ctrl+r tries again, o switches the pane")
		return cmd
	case login.Submit:
		seq, au, ctx := s.seq, s.auth, a.ctx
		return tea.Batch(cmd, func() tea.Msg {
			return loginResultMsg{seq: seq, err: au.Login(ctx, r.Email, r.Password, r.Code, r.Remember)}
		})
	}
	return cmd
}

func (a *App) onLoginResult(m loginResultMsg) tea.Cmd {
	s := a.loginForm()
	if s == nil || m.seq != s.seq {
		return nil
	}
	if !s.form.SetResult(m.err) {
		return nil
	}
	a.close(s)
	a.setMessage(msgSuccess, "logged in to "+pane.DisplayName(s.fs.Label()))
	var cmds []tea.Cmd
	started := false
	for i := range a.panes {
		if a.fs[i] != s.fs {
			continue
		}
		a.panes[i].Label = s.fs.Label() // it may name the account now
		dir := a.panes[i].Listing.Dir()
		if i == s.pane || dir == "" {
			dir = s.dir
		}
		cmds = append(cmds, a.load(i, dir, ""))
		if !started {
			cmds = append(cmds, a.startFS(i)...)
			started = true
		}
	}
	return tea.Batch(cmds...)
}

// LoginOpen reports whether the login form is open.
func (a *App) LoginOpen() bool { return a.loginForm() != nil }

// LoginProblem is the form's message about the last failed attempt.
func (a *App) LoginProblem() string {
	s := a.loginForm()
	if s == nil {
		return ""
	}
	return s.form.Problem()
}
