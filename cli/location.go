package cli

import (
	"fmt"
	"strings"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
)

// location is a command-line argument: a local path, a path (or handle)
// on a named remote, or a public MEGA link.
type location struct {
	remote string // "" for a local path or a link
	path   string // remote: "/a/b", "//bin/x" or "H:handle"; local: as given; link: shown without its key
	link   string // the whole link, key included ("" if not a link)
}

func (l location) String() string {
	if l.remote == "" {
		return l.path
	}
	return l.remote + ":" + l.path
}

// linkDisplay is a link as messages show it: without its key.
func linkDisplay(link string) string {
	if i := strings.IndexByte(link, '#'); i >= 0 {
		return link[:i]
	}
	return link
}

// parseLocation splits REMOTE:PATH; anything else is a local path. REMOTE
// is anything the config accepts as a remote name (the name login saves),
// so "me@x:/a" is on the remote "me@x".
// "mega:", "mega:/" and "mega:a/b" are Cloud Drive paths; "mega://bin" the
// Rubbish Bin; "mega:H:AbCdEfGh" one node by handle.
func parseLocation(arg string) location {
	if megaclient.IsLink(arg) {
		return location{path: linkDisplay(arg), link: arg}
	}
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

// linkArg reads a link given as "-" from stdin (one line), so that its
// key need not appear in the process arguments; any other argument is
// returned as it is.
func linkArg(env Env, arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	line, err := readLine(env.Stdin)
	if err != nil {
		return "", fmt.Errorf("read the link from stdin: %w", err)
	}
	line = strings.TrimSpace(line)
	if !megaclient.IsLink(line) {
		return "", fmt.Errorf("stdin holds no MEGA link (https://mega.nz/file/…#KEY or …/folder/…#KEY)")
	}
	return line, nil
}
