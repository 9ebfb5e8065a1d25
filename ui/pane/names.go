package pane

import "github.com/megatui/megatui/model"

// DisplayName is the single call site through which every remote or local
// name (and path) reaches the screen: model.DisplayName escapes control
// characters and escape sequences so a name can never change the
// terminal's state.
func DisplayName(s string) string { return model.DisplayName(s) }
