// Package login is the login form shown when a remote has no usable
// session: e-mail, a masked password, a two-factor step when the account
// asks for one, and a "remember password" choice. It performs no I/O:
// Update returns a Submit request that App carries out in a tea.Cmd, and
// App reports the outcome with SetResult.
//
// The password is held only in its masked text input; it is never drawn,
// and error text from the backend is scrubbed of it before it is shown.
package login

import (
	"errors"
	"github.com/megatui/megatui/ui/cells"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// Keys are the bindings of the form.
type Keys struct {
	Next, Prev, Toggle, Submit, Cancel key.Binding
}

// Title names the group in the help.
func (Keys) Title() string { return "Log in" }

// Bindings lists the keys for the help and the footer, in order.
func (k Keys) Bindings() []key.Binding {
	return []key.Binding{k.Submit, k.Next, k.Prev, k.Toggle, k.Cancel}
}

// Step is the form's step.
type Step int

const (
	StepCredentials Step = iota // e-mail and password
	StepCode                    // the two-factor code
)

// Submit asks App to log in.
type Submit struct {
	Email, Password, Code string
	Remember              bool
}

// Cancel asks App to close the form.
type Cancel struct{}

// Fields of the form, in focus order.
const (
	fieldEmail = iota
	fieldPassword
	fieldCode
	fieldRemember
)

// Model is the login form.
type Model struct {
	remote   string
	email    textinput.Model
	password textinput.Model
	code     textinput.Model
	remember bool
	step     Step
	focus    int
	busy     bool
	problem  string // why the last attempt failed, for the user
	keys     Keys
	req      any // what the last Update asks of App
	maxW     int
	maxH     int
}

// New builds the form for remote (its label), with email prefilled.
func New(remote, email string, st theme.Styles, keys Keys) Model {
	in := func(prompt, placeholder string) textinput.Model {
		t := textinput.New()
		t.SetStyles(st.Input)
		t.Prompt = prompt
		t.Placeholder = placeholder
		t.SetWidth(30)
		return t
	}
	m := Model{remote: remote, keys: keys}
	m.email = in("", "you@example.com")
	m.email.SetValue(email)
	m.email.CursorEnd()
	m.password = in("", "")
	m.password.EchoMode = textinput.EchoPassword
	m.password.EchoCharacter = '•'
	m.code = in("", "6 digits")
	m.code.CharLimit = 8
	m.focus = fieldEmail
	if email != "" {
		m.focus = fieldPassword
	}
	m.applyFocus()
	return m
}

// SetKeys replaces the bindings.
func (m *Model) SetKeys(k Keys) { m.keys = k }

// SetStyles restyles the inputs (the theme follows the terminal).
func (m *Model) SetStyles(st theme.Styles) {
	for _, t := range []*textinput.Model{&m.email, &m.password, &m.code} {
		t.SetStyles(st.Input)
	}
}

// Step is the current step.
func (m Model) Step() Step { return m.step }

// Busy reports that a login attempt is running.
func (m Model) Busy() bool { return m.busy }

// Problem is the message about the last failed attempt ("" if none).
func (m Model) Problem() string { return m.problem }

// Remember reports the "remember password" choice.
func (m Model) Remember() bool { return m.remember }

func (m Model) fields() []int {
	if m.step == StepCode {
		return []int{fieldCode, fieldRemember}
	}
	return []int{fieldEmail, fieldPassword, fieldRemember}
}

func (m *Model) applyFocus() {
	for f, t := range map[int]*textinput.Model{fieldEmail: &m.email, fieldPassword: &m.password, fieldCode: &m.code} {
		if f == m.focus {
			t.Focus()
		} else {
			t.Blur()
		}
	}
}

func (m *Model) cycle(d int) {
	fs := m.fields()
	i := 0
	for j, f := range fs {
		if f == m.focus {
			i = j
		}
	}
	m.focus = fs[(i+d+len(fs))%len(fs)]
	m.applyFocus()
}

// SetSize gives the most the form may take: w cells wide, h lines high.
func (m *Model) SetSize(w, h int) { m.maxW, m.maxH = w, h }

// Request is what the last Update asks of App: a Submit, a Cancel or nil.
func (m Model) Request() any { return m.req }

// Update handles a message; Request then tells what App must do.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m, cmd, req := m.update(msg)
	m.req = req
	return m, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd, any) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			return m, nil, Cancel{}
		case m.busy:
			return m, nil, nil // one attempt at a time
		case key.Matches(k, m.keys.Submit):
			return m.submit()
		case key.Matches(k, m.keys.Next):
			m.cycle(1)
			return m, nil, nil
		case key.Matches(k, m.keys.Prev):
			m.cycle(-1)
			return m, nil, nil
		case m.focus == fieldRemember && key.Matches(k, m.keys.Toggle):
			m.remember = !m.remember
			return m, nil, nil
		}
	}
	if m.busy {
		return m, nil, nil
	}
	var cmd tea.Cmd
	switch m.focus {
	case fieldEmail:
		m.email, cmd = m.email.Update(msg)
	case fieldPassword:
		m.password, cmd = m.password.Update(msg)
	case fieldCode:
		m.code, cmd = m.code.Update(msg)
	}
	return m, cmd, nil
}

func (m Model) submit() (Model, tea.Cmd, any) {
	email := strings.TrimSpace(m.email.Value())
	switch {
	case email == "":
		m.problem, m.focus = "Enter the account's e-mail address.", fieldEmail
	case m.password.Value() == "":
		m.problem, m.focus = "Enter the password.", fieldPassword
	case m.step == StepCode && strings.TrimSpace(m.code.Value()) == "":
		m.problem, m.focus = "Enter the 6-digit code from your authenticator app.", fieldCode
	default:
		m.busy, m.problem = true, ""
		code := ""
		if m.step == StepCode {
			code = strings.TrimSpace(m.code.Value())
		}
		return m, nil, Submit{Email: email, Password: m.password.Value(), Code: code, Remember: m.remember}
	}
	m.applyFocus()
	return m, nil, nil
}

// SetResult reports the outcome of a Submit. It returns true when the
// login succeeded (App then closes the form).
func (m *Model) SetResult(err error) bool {
	m.busy = false
	if err == nil {
		m.problem = ""
		m.password.SetValue("")
		return true
	}
	m.problem = m.explain(err)
	switch {
	case errors.Is(err, model.ErrMFARequired) && m.step == StepCredentials:
		m.step, m.focus = StepCode, fieldCode
		m.code.SetValue("")
	case errors.Is(err, model.ErrMFARequired), errors.Is(err, model.ErrMFAInvalid):
		m.focus = fieldCode
		m.code.SetValue("")
	case errors.Is(err, model.ErrLoginFailed):
		// Back to the credentials: the code, if any, is asked again.
		m.step, m.focus = StepCredentials, fieldPassword
		m.password.SetValue("")
		m.code.SetValue("")
	}
	m.applyFocus()
	return false
}

// explain turns a login error into a message for the user.
func (m Model) explain(err error) string {
	switch {
	case errors.Is(err, model.ErrLoginFailed):
		return "Wrong e-mail or password."
	case errors.Is(err, model.ErrMFARequired) && m.step == StepCredentials:
		return "This account uses two-factor authentication: enter the code from your authenticator app."
	case errors.Is(err, model.ErrMFARequired), errors.Is(err, model.ErrMFAInvalid):
		return "The two-factor code was not accepted. Codes change every 30 seconds: enter the current one."
	case errors.Is(err, model.ErrBlocked):
		return "This account is blocked by MEGA. Log in at mega.nz to see why and how to unblock it."
	case errors.Is(err, model.ErrRateLimited), errors.Is(err, model.ErrTryAgain):
		return "Too many attempts: MEGA is limiting this connection. Wait a few minutes, then try again."
	case errors.Is(err, model.ErrUnreachable):
		return "Cannot reach the MEGA server. Check the network connection (or the API URL) and try again."
	}
	s := "Login failed: " + err.Error()
	if p := m.password.Value(); p != "" {
		s = strings.ReplaceAll(s, p, "••••")
	}
	return s
}

// View draws the form at most as wide and, dropping its hints first, as
// high as SetSize allows.
func (m Model) View(st theme.Styles) string {
	maxWidth, maxHeight := m.maxW, m.maxH
	inner := max(min(maxWidth-4, 64), 16)
	labelW := 10
	fieldW := max(inner-labelW-1, 4)
	for _, t := range []*textinput.Model{&m.email, &m.password, &m.code} {
		t.SetWidth(max(fieldW-1, 1))
	}
	label := func(f int, s string) string {
		ls := st.Label
		if f == m.focus {
			ls, s = st.HelpKey, "›"+s
		} else {
			s = " " + s
		}
		return ls.Render(cells.Pad(s, labelW))
	}
	var lines []string
	lines = append(lines, st.DialogTitle.Render(cells.Truncate("Log in to "+model.DisplayName(m.remote), inner)), "")
	if m.step == StepCredentials {
		lines = append(lines,
			label(fieldEmail, "E-mail")+" "+m.email.View(),
			label(fieldPassword, "Password")+" "+m.password.View())
	} else {
		lines = append(lines,
			cells.Truncate("Account: "+model.DisplayName(strings.TrimSpace(m.email.Value())), inner),
			label(fieldCode, "2FA code")+" "+m.code.View())
	}
	box := "[ ]"
	if m.remember {
		box = "[x]"
	}
	rem := box + " remember password in the keyring"
	if m.focus == fieldRemember {
		rem = st.Selected.Render(rem)
	}
	const hint = "\x00" // marks lines dropped first when space is short
	lines = append(lines, label(fieldRemember, "")+" "+rem,
		hint+st.Status.Render(cells.Truncate("The session is always kept; the password only if ticked.", inner)), hint)
	switch {
	case m.busy:
		lines = append(lines, st.Loading.Render("Logging in…"))
	case m.problem != "":
		for _, l := range wrap(model.DisplayName(m.problem), inner) {
			lines = append(lines, st.Error.Render(l))
		}
	default:
		lines = append(lines, "")
	}
	help := "enter log in · tab next · space tick · esc cancel"
	lines = append(lines, hint, hint+st.Status.Render(cells.Truncate(help, inner)))
	if len(lines)+2 > maxHeight {
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, hint) })
		if len(lines) > 2 && lines[1] == "" && len(lines)+2 > maxHeight {
			lines = slices.Delete(lines, 1, 2)
		}
	}
	for i, l := range lines {
		lines[i] = cells.Pad(strings.TrimPrefix(l, hint), inner)
	}
	return st.Dialog.Render(strings.Join(lines, "\n"))
}

// wrap breaks s into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case lipgloss.Width(line)+1+lipgloss.Width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" {
		out = append(out, cells.Truncate(line, w))
	}
	return out
}
