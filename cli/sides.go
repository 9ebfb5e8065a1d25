package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

// sides opens the trees of a command's locations, each remote once.
type sides struct {
	env     Env
	clients map[string]*megaclient.Client
	links   []*megaclient.Public
}

func newSides(env Env) *sides { return &sides{env: env, clients: map[string]*megaclient.Client{}} }

// client returns the connected account of remote, connecting once.
func (s *sides) client(ctx context.Context, remote string) (*megaclient.Client, error) {
	if c, ok := s.clients[remote]; ok {
		return c, nil
	}
	c, err := s.env.Open(ctx, remote)
	if err != nil {
		return nil, err
	}
	s.clients[remote] = c
	return c, nil
}

// fs returns the tree at loc.
// fsRoot opens loc and stats its root.
func (s *sides) fsRoot(ctx context.Context, loc location) (operations.Fs, model.Entry, error) {
	f, err := s.fs(ctx, loc)
	if err != nil {
		return nil, model.Entry{}, err
	}
	root, err := f.Root(ctx)
	return f, root, err
}

func (s *sides) fs(ctx context.Context, loc location) (operations.Fs, error) {
	if loc.link != "" {
		p, err := s.env.OpenLink(ctx, loc.link)
		if err != nil {
			return nil, err
		}
		s.links = append(s.links, p)
		return linkFs{p: p}, nil
	}
	if loc.remote == "" {
		trash, err := operations.DefaultTrash(s.env.Getenv)
		if err != nil {
			trash = nil
		}
		return operations.NewLocal(loc.path, trash)
	}
	c, err := s.client(ctx, loc.remote)
	if err != nil {
		return nil, err
	}
	return operations.NewMega(c, loc.remote, loc.path), nil
}

// remote returns the one MEGA account among the locations (nil if none);
// two different remotes are refused.
func (s *sides) remote(ctx context.Context, locs ...location) (*megaclient.Client, error) {
	name := ""
	for _, l := range locs {
		if l.remote == "" {
			continue
		}
		if name != "" && name != l.remote {
			return nil, fmt.Errorf("%s and %s are on two MEGA remotes: go through the local disk", locs[0], locs[len(locs)-1])
		}
		name = l.remote
	}
	if name == "" {
		return nil, nil
	}
	return s.client(ctx, name)
}

func (s *sides) close() {
	for _, c := range s.clients {
		c.Close()
	}
	for _, p := range s.links {
		p.Close()
	}
}

// journalPath is the transfer journal of one kind of run between two
// locations, in the state folder: running the same command again resumes.
func journalPath(env Env, kind string, src, dst location) (string, error) {
	dirs, err := config.ResolveDirs(env.Getenv)
	if err != nil {
		return "", fmt.Errorf("state folder: %w", err)
	}
	if err := config.EnsurePrivateDir(dirs.StateDir); err != nil {
		return "", fmt.Errorf("state folder: %w", err)
	}
	key := func(l location) string {
		if l.remote == "" {
			return absOr(l.path)
		}
		return l.String()
	}
	return filepath.Join(dirs.StateDir, kind+"-"+shortHash(key(src)+"\x00"+key(dst))+".jsonl"), nil
}

// bwSchedule parses --bwlimit: one limit ("10M", "off"), or rclone's
// timetable of "HH:MM,LIMIT" entries (optionally "Mon-HH:MM,LIMIT")
// separated by spaces. It returns the limit in force at a moment.
func bwSchedule(s string) (func(time.Time) int64, int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, 0, nil
	}
	if !strings.Contains(s, ",") {
		v, err := config.ParseBandwidth(s)
		if err != nil {
			return nil, 0, usagef("--bwlimit: %v", err)
		}
		return nil, v, nil
	}
	type slot struct {
		day    int // -1 every day, else time.Weekday
		minute int
		limit  int64
	}
	var slots []slot
	days := map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	for _, part := range strings.Fields(s) {
		when, lim, ok := strings.Cut(part, ",")
		if !ok {
			return nil, 0, usagef("--bwlimit: %q: want HH:MM,LIMIT", part)
		}
		day := -1
		if d, rest, ok := strings.Cut(when, "-"); ok {
			n, known := days[strings.ToLower(d)]
			if !known {
				return nil, 0, usagef("--bwlimit: %q: unknown day %q", part, d)
			}
			day, when = n, rest
		}
		var h, m int
		if _, err := fmt.Sscanf(when, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(when) != 5 {
			return nil, 0, usagef("--bwlimit: %q: want the time as HH:MM", part)
		}
		v, err := config.ParseBandwidth(lim)
		if err != nil {
			return nil, 0, usagef("--bwlimit: %q: %v", part, err)
		}
		slots = append(slots, slot{day: day, minute: h*60 + m, limit: v})
	}
	// The entry in force is the latest one at or before now, looking back
	// up to a week (so the last entry wraps round to the first).
	at := func(now time.Time) int64 {
		week := int(now.Weekday())*1440 + now.Hour()*60 + now.Minute()
		best, bestAgo := int64(0), 1<<30
		for _, sl := range slots {
			for d := 0; d < 7; d++ {
				if sl.day >= 0 && sl.day != d {
					continue
				}
				ago := (week - (d*1440 + sl.minute) + 7*1440) % (7 * 1440)
				if ago < bestAgo {
					best, bestAgo = sl.limit, ago
				}
			}
		}
		return best
	}
	return at, 0, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
