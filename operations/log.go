package operations

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// Level is a log level, as rclone's (-q shows errors only, -v info, -vv
// debug; notices show by default).
type Level int

// The levels, most important first.
const (
	LevelError Level = iota
	LevelNotice
	LevelInfo
	LevelDebug
)

func (l Level) tag() string {
	switch l {
	case LevelError:
		return "ERROR : "
	case LevelNotice:
		return "NOTICE: "
	case LevelInfo:
		return "INFO  : "
	default:
		return "DEBUG : "
	}
}

// Logger receives what an operation reports about objects ("a/b.txt",
// or a tree's String) as rclone's log lines do.
type Logger interface {
	Log(level Level, object, format string, args ...any)
}

// TextLog writes rclone's log format, "2006/01/02 15:04:05 LEVEL : object:
// message", for messages at or above its level. Names are escaped for
// the terminal. Safe for concurrent use.
type TextLog struct {
	W     io.Writer
	Level Level
	// Now stamps each line; nil means time.Now. NoTime leaves the stamp
	// out.
	Now    func() time.Time
	NoTime bool

	mu sync.Mutex
}

// Log writes one line when level is shown.
func (t *TextLog) Log(level Level, object, format string, args ...any) {
	if t == nil || level > t.Level {
		return
	}
	msg := fmt.Sprintf(format, args...)
	var b strings.Builder
	if !t.NoTime {
		now := time.Now
		if t.Now != nil {
			now = t.Now
		}
		b.WriteString(now().Format("2006/01/02 15:04:05 "))
	}
	b.WriteString(level.tag())
	if object != "" {
		b.WriteString(model.DisplayName(object))
		b.WriteString(": ")
	}
	b.WriteString(msg)
	b.WriteByte('\n')
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.W, b.String())
}

// discard is a Logger that drops everything.
type discard struct{}

func (discard) Log(Level, string, string, ...any) {}

func logger(l Logger) Logger {
	if l == nil {
		return discard{}
	}
	return l
}
