package dedupe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
)

// Prompter asks on a terminal what to do with each group, as rclone's
// interactive dedupe does: s skip, k keep one, r rename all, q quit; for
// folders m merges. It reads answers from in and writes to out.
type Prompter struct {
	ctx context.Context
	in  *bufio.Reader
	out io.Writer
	fs  FS
}

// NewPrompter returns a Prompter; fs is used for full paths and folder
// previews.
func NewPrompter(ctx context.Context, in io.Reader, out io.Writer, fs FS) *Prompter {
	return &Prompter{ctx: ctx, in: bufio.NewReader(in), out: out, fs: fs}
}

type pather interface {
	Path(ref string) (string, error)
}

func (p *Prompter) path(id string) string {
	if pt, ok := p.fs.(pather); ok {
		if s, err := pt.Path(id); err == nil {
			return model.DisplayName(s)
		}
	}
	return "H:" + id
}

// ask prints the question and reads one answer among choices (lower
// case). End of input answers "q".
func (p *Prompter) ask(question string, choices string) string {
	for {
		fmt.Fprintf(p.out, "%s> ", question)
		line, err := p.in.ReadString('\n')
		ans := strings.ToLower(strings.TrimSpace(line))
		if len(ans) == 1 && strings.Contains(choices, ans) {
			return ans
		}
		if err != nil {
			fmt.Fprintln(p.out)
			return "q"
		}
		fmt.Fprintf(p.out, "please answer one of %s\n", strings.Join(strings.Split(choices, ""), ", "))
	}
}

func (p *Prompter) askNumber(n int) (int, bool) {
	for {
		fmt.Fprintf(p.out, "Enter the number of the copy to keep (1-%d)> ", n)
		line, err := p.in.ReadString('\n')
		if k, cerr := strconv.Atoi(strings.TrimSpace(line)); cerr == nil && k >= 1 && k <= n {
			return k - 1, true
		}
		if err != nil {
			fmt.Fprintln(p.out)
			return 0, false
		}
	}
}

func fmtTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// Describe prints a group with every copy numbered.
func (p *Prompter) Describe(g model.DupGroup, index, total int) {
	where := p.path(g.ParentID)
	switch g.Kind {
	case model.SameContent:
		fmt.Fprintf(p.out, "\n[%d/%d] %d files with the same content (%s)\n", index+1, total, len(g.Members), verifiedWord(g))
	case model.Collision:
		fmt.Fprintf(p.out, "\n[%d/%d] %d names in %s that collide on a case-insensitive disk\n", index+1, total, len(g.Members), where)
	default:
		what, class := "files", " ("+g.Class.String()+")"
		if g.Dir {
			what, class = "folders", ""
		} else if g.Verified {
			class = " (" + g.Class.String() + ", verified by SHA-256)"
		}
		fmt.Fprintf(p.out, "\n[%d/%d] %d %s named %q in %s%s\n", index+1, total, len(g.Members), what, model.DisplayName(g.Name), where, class)
	}
	sets := model.ContentSets(g.Members, nil, false)
	for i, m := range g.Members {
		var b strings.Builder
		fmt.Fprintf(&b, "  %d: ", i+1)
		if m.IsDir() {
			fmt.Fprintf(&b, "folder, uploaded %s", fmtTime(m.UploadTime))
			if kids, err := p.fs.List(p.ctx, m.ID); err == nil {
				fmt.Fprintf(&b, ", %d entries", len(kids))
			}
		} else {
			fmt.Fprintf(&b, "%s, modified %s", humanize.IBytes(uint64(m.Size)), fmtTime(model.EffectiveTime(m)))
			if !m.ModTimeKnown {
				b.WriteString(" (upload time)")
			}
			fmt.Fprintf(&b, ", uploaded %s", fmtTime(m.UploadTime))
			for _, set := range sets {
				if set[0].ID != m.ID && containsID(set, m.ID) {
					for j, o := range g.Members {
						if o.ID == set[0].ID {
							fmt.Fprintf(&b, ", same fingerprint as %d", j+1)
						}
					}
				}
			}
		}
		fmt.Fprintf(&b, "\n     %s  H:%s\n", p.path(m.ID), m.ID)
		io.WriteString(p.out, b.String())
	}
}

func verifiedWord(g model.DupGroup) string {
	if g.Verified {
		return "verified by SHA-256"
	}
	return "by size and fingerprint"
}

func containsID(es []model.Entry, id string) bool {
	for _, e := range es {
		if e.ID == id {
			return true
		}
	}
	return false
}

// Decide asks about one group (RunOptions.Decide). Collision groups are
// only shown. Identical copies are removed before the choice applies,
// as in rclone, except the one kept.
func (p *Prompter) Decide(g model.DupGroup, index, total int) (model.Choice, bool) {
	p.Describe(g, index, total)
	if g.Kind == model.Collision {
		fmt.Fprintln(p.out, "  (rename one of them before downloading to macOS or Windows)")
		return model.Choice{Mode: model.ModeList}, true
	}
	var ans string
	switch {
	case g.Dir:
		fmt.Fprintln(p.out, "m) Merge into the folder with most entries\nk) Merge into one folder (choose which in the next step)\ns) Skip and do nothing\nr) Rename all to be different\nq) Quit")
		ans = p.ask("m/k/s/r/q", "mksrq")
	case g.Kind == model.SameContent:
		fmt.Fprintln(p.out, "s) Skip and do nothing\nk) Keep just one (choose which in the next step)\nq) Quit")
		ans = p.ask("s/k/q", "skq")
	default:
		fmt.Fprintln(p.out, "s) Skip (copies with the same fingerprint are still reduced to one)\nk) Keep just one (choose which in the next step)\nr) Rename all to be different\nq) Quit")
		ans = p.ask("s/k/r/q", "skrq")
	}
	switch ans {
	case "m":
		return model.Choice{Mode: model.ModeFirst}, true
	case "k":
		i, ok := p.askNumber(len(g.Members))
		if !ok {
			return model.Choice{}, false
		}
		return model.Choice{Mode: model.ModeKeep, Keep: g.Members[i].ID}, true
	case "r":
		return model.Choice{Mode: model.ModeRename}, true
	case "s":
		if g.Dir || g.Kind == model.SameContent {
			return model.Choice{Mode: model.ModeList}, true // nothing at all
		}
		return model.Choice{Mode: model.ModeSkip}, true
	}
	return model.Choice{}, false
}

// Confirm prints the plan and asks before applying (RunOptions.Confirm).
func (p *Prompter) Confirm(plan model.Plan) bool {
	fmt.Fprintf(p.out, "\nPlan:\n%s", plan)
	if len(plan.Actions) == 0 {
		return false
	}
	return p.ask(fmt.Sprintf("Apply these %d actions? y/n", len(plan.Actions)), "yn") == "y"
}
