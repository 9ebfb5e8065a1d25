package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/theme"
)

// Update routes a message: results of Cmds to their handlers, key presses
// to the top overlay (see overlay.go), then the global bindings, then the
// transfer panel or the focused pane.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	seq := a.msgSeq
	cmd := a.update(msg)
	if a.msgSeq != seq {
		cmd = tea.Batch(cmd, a.expireMessage())
	}
	if a.look != nil {
		cmd = tea.Batch(cmd, a.followLook())
	}
	if a.probe != nil {
		cmd, a.probe = tea.Batch(cmd, a.probe), nil
	}
	a.maybeAsk()
	a.syncKeys()
	for i := range a.panes {
		a.panes[i].Scroll()
	}
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		if !a.fixedTheme {
			a.setStyles(theme.New(msg.IsDark(), a.noColor))
		}
		return nil
	case tea.KeyPressMsg:
		return a.onKey(msg)
	case tea.MouseClickMsg:
		if a.browsing() {
			a.onClick(msg.Mouse())
		}
		return nil
	case tea.MouseWheelMsg:
		if a.browsing() {
			a.onWheel(msg.Mouse())
		}
		return nil

	// The guided dedupe and the login form (dedupe_flow.go, login_flow.go).
	case ddProgressMsg, ddScanMsg, ddHashesMsg, ddPlanMsg, ddResultMsg:
		return a.onDedupeMsg(msg)
	case undoConfirmedMsg:
		a.setMessage(msgInfo, "undoing the last dedupe…")
		return undoDedupeCmd(a.ctx, msg)
	case undoDoneMsg:
		return a.onUndoDone(msg)
	case loginResultMsg:
		return a.onLoginResult(msg)
	case viewOpenedMsg, viewChunkMsg, viewFoundMsg:
		return a.onViewMsg(msg)
	case previewOpenedMsg, previewChunkMsg:
		return a.onPreview(msg)

	// Results of the panes' I/O (results.go).
	case listingMsg:
		return a.onListing(msg)
	case placesSavedMsg:
		if msg.err != nil {
			a.setError(fmt.Errorf("keep bookmarks: %w", msg.err))
		}
		return nil
	case spaceMsg:
		a.onSpace(msg)
		return nil
	case folderSizesMsg:
		a.onFolderSizes(msg)
		return nil
	case opResultMsg:
		return a.onOpResult(msg)
	case filterResultMsg:
		a.panes[msg.pane].Listing.ApplyFilter(msg.res)
		return nil
	case sortResultMsg:
		a.panes[msg.pane].Listing.ApplySort(msg.res)
		return nil
	case quotaMsg:
		return a.onQuota(msg)
	case fsChangedMsg:
		return a.onFSChanged(msg)
	case linkMsg:
		a.onLink(msg)
		return nil
	case copyLinkMsg:
		a.setMessage(msgSuccess, "link copied to the clipboard")
		return tea.SetClipboard(msg.link)
	case removeLinkMsg:
		return a.onRemoveLink(msg)
	case probeMsg:
		return a.onProbe(msg)
	case linkOpenedMsg:
		return a.onLinkOpened(msg)
	case linkRemovedMsg:
		a.onLinkRemoved(msg)
		return nil
	case accountDupsMsg:
		if msg.err != nil {
			delete(a.accountDups, msg.fs)
		} else {
			a.accountDups[msg.fs] = msg.n
		}
		return nil

	// The transfer queue (panel.go, ask.go, queue_ctl.go).
	case enqueuedMsg:
		a.onEnqueued(msg)
		return nil
	case snapshotMsg:
		return a.onSnapshot(msg)
	case askAnsweredMsg:
		a.onAskAnswered(msg)
		return nil
	case queueCtlMsg:
		a.onQueueCtl(msg)
		return nil

	// Confirmed dialogs (confirm.go) and submitted inputs (edit.go).
	case quitCheckMsg:
		return a.onQuitCheck(msg)
	case quitConfirmedMsg:
		return a.quit()
	case cancelConfirmedMsg:
		if a.transfers == nil {
			return nil
		}
		return jobCtlCmd("cancelled", msg.label, msg.ids, a.transfers.Cancel)
	case cancelAllConfirmedMsg:
		if a.transfers == nil {
			return nil
		}
		return queueCtlCmd("cancelled", a.transfers.CancelAll)
	case transferConfirmedMsg:
		if a.transfers == nil {
			return nil
		}
		cmds := make([]tea.Cmd, len(msg.reqs))
		for i, r := range msg.reqs {
			cmds[i] = enqueueCmd(a.ctx, a.transfers, r, msg.pane)
		}
		return tea.Batch(cmds...)
	case deleteConfirmedMsg:
		return removeCmd(a.ctx, a.fs[msg.pane], a.panes[msg.pane].Listing.Dir(), msg.paths, msg.permanent)
	case restoreConfirmedMsg:
		return a.onRestoreConfirmed(msg)
	case switchFSMsg:
		if msg.fs == len(a.all) && a.openLink != nil {
			a.askLink(msg.pane)
			return nil
		}
		return a.switchFS(msg.pane, msg.fs)
	case linkSubmitMsg:
		return a.onLinkSubmit(msg)
	case renameSubmitMsg:
		return a.onRenameSubmit(msg)
	case mkdirSubmitMsg:
		return a.onMkdirSubmit(msg)
	case gotoSubmitMsg:
		return a.onGotoSubmit(msg)
	case findSubmitMsg:
		return a.onFindSubmit(msg)
	case findResultMsg:
		a.onFindResult(msg)
		return nil
	case patternSubmitMsg:
		a.onPatternSubmit(msg)
		return nil
	case dialog.ClosedMsg:
		return nil
	case messageExpiredMsg:
		if msg.seq == a.msgSeq {
			a.message = ""
		}
		return nil
	}
	// Anything else (cursor blink, paste) goes to the top overlay.
	if o := a.top(); o != nil {
		return o.update(a, msg)
	}
	return nil
}

// onKey routes a key press: force quit, then the top overlay, then the
// keys that work in the panes and the panel alike, then whichever of the
// two has focus.
func (a *App) onKey(k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	if key.Matches(k, km.General.ForceQuit) {
		return tea.Quit
	}
	if o := a.top(); o != nil {
		return o.update(a, k)
	}
	switch {
	case key.Matches(k, km.Panel.Toggle):
		a.togglePanel()
		return nil
	case key.Matches(k, km.Panel.Maximise):
		a.maximisePanel()
		return nil
	case key.Matches(k, km.Panel.Log):
		a.openLog()
		return nil
	case key.Matches(k, km.Browse.Nav.SwitchPane):
		a.switchFocus()
		return nil
	}
	if a.panelFocus {
		return a.onPanelKey(k)
	}
	return a.onBrowseKey(k)
}

// onHelpKey pages the help overlay: tab/→ and shift+tab/← page through a
// help that does not fit on one screen; any other key closes it.
func (a *App) onHelpKey(o *helpOverlay, k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys.Dialog
	if n := len(a.helpPages()); n > 1 {
		switch {
		case key.Matches(k, km.Next):
			o.page = min(o.page+1, n-1)
			return nil
		case key.Matches(k, km.Prev):
			o.page = max(o.page-1, 0)
			return nil
		}
	}
	a.close(o)
	return nil
}

// openHelp opens the key help on its first page.
func (a *App) openHelp() { a.push(&helpOverlay{}) }

// setStyles switches the theme of the App and of every open child.
func (a *App) setStyles(st theme.Styles) {
	a.st = st
	for _, o := range a.modes {
		switch o := o.(type) {
		case *filterOverlay:
			o.input.SetStyles(st.Input)
		case *renameOverlay:
			o.input.SetStyles(st.Input)
		case *loginSession:
			o.form.SetStyles(st)
		case *viewSession:
			o.screen.SetStyles(st)
		}
	}
}

func (a *App) resize(w, h int) {
	a.width, a.height = w, h
	a.lay = layout(w, h, a.flags)
	for i := range a.panes {
		r := a.lay.Panes[i]
		a.panes[i].SetSize(r.W, r.H)
	}
	a.panel.SetSize(a.lay.Transfers.W, a.lay.Transfers.H)
	for _, o := range a.modes {
		switch o := o.(type) {
		case *dialogOverlay:
			o.d.SetSize(dialogWidth(w), h)
		case *dedupeSession:
			o.screen.SetSize(w, max(h-3, 0))
		case *loginSession:
			o.form.SetSize(min(w-2, 72), h)
		case *viewSession:
			o.screen.SetSize(w, max(h-2, 0))
		}
	}
	a.refitAsks()
}

// quit keeps the places, then quits.
func (a *App) quit() tea.Cmd {
	if save := a.savePlaces(); save != nil {
		return tea.Sequence(save, tea.Quit)
	}
	return tea.Quit
}

// onQuitCheck quits, or asks first while transfers run.
func (a *App) onQuitCheck(m quitCheckMsg) tea.Cmd {
	if m.active == 0 {
		return a.quit()
	}
	a.pushDialog(&dialog.Confirm{
		ID: "quit", Title: "Quit megatui?",
		Lines: []string{fmt.Sprintf("%d transfer(s) are still running.", m.active),
			"They stop now and resume the next time megatui starts."},
		OnYes: func(int) tea.Msg { return quitConfirmedMsg{} },
	})
	return nil
}
