package cli

import (
	"strings"

	"github.com/megatui/megatui/config"
)

// location is a command-line argument: a local path, or a path (or
// handle) on a named remote.
type location struct {
	remote string // "" for a local path
	path   string // remote: "/a/b", "//bin/x" or "H:handle"; local: as given
}

func (l location) String() string {
	if l.remote == "" {
		return l.path
	}
	return l.remote + ":" + l.path
}

// parseLocation splits REMOTE:PATH; anything else is a local path. REMOTE
// is anything the config accepts as a remote name (the name login saves),
// so "me@x:/a" is on the remote "me@x".
// "mega:", "mega:/" and "mega:a/b" are Cloud Drive paths; "mega://bin" the
// Rubbish Bin; "mega:H:AbCdEfGh" one node by handle.
func parseLocation(arg string) location {
	name, rest, ok := strings.Cut(arg, ":")
	if !ok || config.ValidateRemoteName(name) != nil {
		return location{path: arg}
	}
	switch {
	case strings.HasPrefix(rest, "H:"), strings.HasPrefix(rest, "//"):
	case strings.HasPrefix(rest, "/"):
	default:
		rest = "/" + rest
	}
	if strings.HasPrefix(rest, "H:") {
		// A trailing slash means the same node, as on paths.
		rest = strings.TrimRight(rest, "/")
	} else if len(rest) > 1 && rest != "//bin" && rest != "//in" {
		rest = strings.TrimRight(rest, "/")
		if rest == "" {
			rest = "/"
		}
	}
	return location{remote: name, path: rest}
}
