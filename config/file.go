package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// FileMode and DirMode are the permissions Save uses.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// Load reads the configuration at path. A missing file yields Default()
// and no error. Keys left out of the file keep their defaults. Unknown
// keys and invalid values are errors naming the file, line and key.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes configuration text; name is used in error messages.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		return Config{}, decodeError(name, err)
	}
	loc := newLocator(data)
	var errs []error
	for _, k := range md.Undecoded() {
		key := k.String()
		fe := &FieldError{File: name, Line: loc.lineOfTOMLKey(k), Key: key}
		last := k[len(k)-1]
		if isSecretKey(last) {
			fe.Msg = "secrets do not belong in the config file: megatui keeps sessions and passwords in the OS keyring " +
				"(run megatui login); remove this line"
		} else {
			fe.Msg = "unknown setting"
		}
		errs = append(errs, fe)
	}
	if err := c.validate(loc, name); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// isSecretKey reports keys people may try to put in the file; they get a
// pointed message instead of "unknown setting".
var typeErrorRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// decodeError turns the TOML library's errors into FieldErrors naming the
// file, line and key.
func decodeError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) && pe.Position.Line > 0 {
		return &FieldError{File: name, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
	}
	if m := typeErrorRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: name, Line: line, Key: m[2], Msg: m[3]}
	}
	return &FieldError{File: name, Msg: err.Error()}
}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "pass", "passwd", "session", "session_id", "sid", "master_key", "masterkey", "key", "token":
		return true
	}
	return strings.Contains(k, "password") || strings.Contains(k, "secret")
}

const fileHeader = `# megatui configuration (see README).
# No secrets here: sessions and remembered passwords are kept in the OS keyring.

`

// Save validates c and writes it to path atomically: a temporary file in
// the same directory, mode 0600, synced, then renamed over path. The
// directory is created with mode 0700 when missing. Remotes marked
// FromEnv are not written.
func Save(path string, c Config) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	out := c
	out.Remotes = nil
	for _, r := range c.Remotes {
		if !r.FromEnv {
			out.Remotes = append(out.Remotes, r)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("save config: encode: %w", err)
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a 0600 temporary file in
// the same directory renamed into place, creating the directory with mode
// 0700 if needed. Readers see the old or the new file, never half of one.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(FileMode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable; best effort
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// locator finds the line of a key in TOML text. It understands the
// subset megatui writes and people type ([table], [[array]], key = value,
// dotted keys); for anything fancier it returns 0 and messages just name
// the key.
type locator struct {
	lines map[string]int // "remote[0].email", "transfers.conflict" -> line
}

var (
	arrayHeaderRE = regexp.MustCompile(`^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]`)
	tableHeaderRE = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]`)
	keyLineRE     = regexp.MustCompile(`^\s*([A-Za-z0-9_.-]+|"[^"]*")\s*=`)
)

func newLocator(data []byte) *locator {
	l := &locator{lines: map[string]int{}}
	counts := map[string]int{}
	table := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if m := arrayHeaderRE.FindStringSubmatch(text); m != nil {
			table = fmt.Sprintf("%s[%d]", m[1], counts[m[1]])
			counts[m[1]]++
			l.set(table, n)
			continue
		}
		if m := tableHeaderRE.FindStringSubmatch(text); m != nil {
			table = m[1]
			l.set(table, n)
			continue
		}
		if m := keyLineRE.FindStringSubmatch(text); m != nil {
			key := strings.Trim(m[1], `"`)
			if table != "" {
				key = table + "." + key
			}
			l.set(key, n)
		}
	}
	return l
}

func (l *locator) set(key string, n int) {
	if _, ok := l.lines[key]; !ok {
		l.lines[key] = n
	}
}

// line returns the line of key, or of its table, or 0.
func (l *locator) line(key string) int {
	for k := key; k != ""; {
		if n, ok := l.lines[k]; ok {
			return n
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// lineOfTOMLKey maps a decoder key (no array indexes) to a line: the first
// occurrence of that key under any element of its array.
func (l *locator) lineOfTOMLKey(k toml.Key) int {
	want := k.String()
	best := 0
	for key, n := range l.lines {
		if stripIndexes(key) == want && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

func stripIndexes(key string) string { return indexRE.ReplaceAllString(key, "") }
