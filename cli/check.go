package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

type checkFlags struct {
	download, oneWay, sizeOnly, fix                          bool
	combined, missingOnSrc, missingOnDst, match, differ, err string
}

func newCheckCmd(env Env, g *globals) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check SRC DST",
		Short: "Check that the files in SRC and DST match, without downloading",
		Long: "Compare the files of SRC and DST: size, then MEGA's fingerprint (a CRC of\n" +
			"samples of the content, stored with each file by MEGA's apps and\n" +
			"megatui) and the modification time: nothing is downloaded. Files stored\n" +
			"without a fingerprint (uploaded by rclone, megatools or old clients) are\n" +
			"fingerprinted by fetching only the sampled bytes, a few KiB each;\n" +
			"--fix-fingerprints then stores it on them. --download compares the\n" +
			"decrypted content byte for byte instead.\n\n" +
			"Reports as rclone: --combined FILE writes every path with a symbol\n" +
			"(= identical, - only in DST, + only in SRC, * different, ! error);\n" +
			"--match, --differ, --missing-on-src, --missing-on-dst and --error write\n" +
			"those paths. FILE \"-\" is stdout. Exit status 1 when anything differs.",
		Example: "  megatui check ~/Photos mega:/Photos\n  megatui check --download --combined - ./docs mega:/docs",
		Args:    args(2, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			return runCheck(cmd, env, g, f, parseLocation(a[0]), parseLocation(a[1]))
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.download, "download", false, "compare the decrypted content instead of fingerprints")
	fl.BoolVar(&f.oneWay, "one-way", false, "only check that SRC's files are in DST")
	fl.BoolVar(&f.sizeOnly, "size-only", false, "compare sizes only")
	fl.BoolVar(&f.fix, "fix-fingerprints", false, "store the computed fingerprint on MEGA files that have none")
	fl.StringVar(&f.combined, "combined", "", "write a combined report to this file (- for stdout)")
	fl.StringVar(&f.missingOnSrc, "missing-on-src", "", "write the paths only in DST to this file")
	fl.StringVar(&f.missingOnDst, "missing-on-dst", "", "write the paths only in SRC to this file")
	fl.StringVar(&f.match, "match", "", "write the matching paths to this file")
	fl.StringVar(&f.differ, "differ", "", "write the differing paths to this file")
	fl.StringVar(&f.err, "error", "", "write the paths that could not be checked to this file")
	return cmd
}

func runCheck(cmd *cobra.Command, env Env, g *globals, f checkFlags, src, dst location) error {
	ctx := cmd.Context()
	flt, err := g.filter()
	if err != nil {
		return err
	}
	log, err := g.log(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer g.close()
	s := newSides(env)
	defer s.close()
	sfs, err := s.fs(ctx, src)
	if err != nil {
		return err
	}
	dfs, err := s.fs(ctx, dst)
	if err != nil {
		return err
	}
	res, err := operations.Check(ctx, sfs, dfs, operations.CheckOptions{
		Download: f.download, SizeOnly: f.sizeOnly, OneWay: f.oneWay, FixFingerprints: f.fix && !g.dryRun,
		Checkers: g.checkers, Filter: flt, Log: log,
	})
	if err != nil {
		return err
	}
	reports := []struct {
		file string
		sym  byte
	}{
		{f.match, operations.SymMatch}, {f.differ, operations.SymDiffer}, {f.missingOnSrc, operations.SymMissingOnSrc},
		{f.missingOnDst, operations.SymMissingOnDst}, {f.err, operations.SymError},
	}
	for _, r := range reports {
		if r.file == "" {
			continue
		}
		if err := writeReport(cmd.OutOrStdout(), r.file, func(w io.Writer) {
			for _, p := range res.Paths(r.sym) {
				fmt.Fprintln(w, model.DisplayName(p))
			}
		}); err != nil {
			return err
		}
	}
	if f.combined != "" {
		if err := writeReport(cmd.OutOrStdout(), f.combined, func(w io.Writer) {
			for _, l := range res.Lines {
				fmt.Fprintf(w, "%c %s\n", l.Sym, model.DisplayName(l.Path))
			}
		}); err != nil {
			return err
		}
	}
	if res.Sampled > 0 && !g.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "megatui: %d files without a fingerprint were sampled: %s fetched\n", res.Sampled, sizeUnit(res.SampledBytes))
	}
	if res.Differences() > 0 {
		return exitError{code: 1}
	}
	return nil
}

// writeReport writes a report to path, or stdout for "-".
func writeReport(stdout io.Writer, path string, fill func(io.Writer)) error {
	if path == "-" {
		fill(stdout)
		return nil
	}
	var b strings.Builder
	fill(&b)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
