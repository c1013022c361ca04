package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

type lintFlags struct {
	region        string
	ignoreUnknown bool
	fanOut, depth int
}

func (l *lintFlags) register(c command, fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
	IntVar(*int, string, int, string)
}) {
	fs.StringVar(&l.region, "region", "US", "region for numbers written without a country code")
	fs.BoolVar(&l.ignoreUnknown, "ignore-unknown", false, "ignore unknown columns instead of refusing the file")
	fs.IntVar(&l.fanOut, "fan-out", 10, "warn when a caller has more callees than this")
	fs.IntVar(&l.depth, "depth", 8, "warn when the tree is deeper than this")
}

func (l *lintFlags) options() roster.Options {
	return roster.Options{Region: l.region, IgnoreUnknown: l.ignoreUnknown, FanOutLimit: l.fanOut, DepthLimit: l.depth}
}

// parseFile reads and lints a roster CSV; a roster with errors is an error
// listing every one of them.
func parseFile(e *env, path string, opt roster.Options) (*roster.Roster, roster.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, roster.Report{}, err
	}
	defer f.Close()
	r, rep, err := roster.Parse(bufio.NewReaderSize(f, 1<<20), opt)
	if err != nil {
		return nil, rep, fmt.Errorf("%s: %w", path, err)
	}
	if !rep.OK() {
		rep.WriteText(e.stderr)
		return nil, rep, fmt.Errorf("%s: %d errors, %d warnings; nothing imported (first: %s)", path, len(rep.Errors), len(rep.Warnings), rep.Errors[0])
	}
	return r, rep, nil
}

func rosterImportCommand() command {
	c := command{name: "roster import", usage: "FILE.csv [--db PATH]",
		summary: "import a roster CSV as a new version (refused whole if it has any error)",
		example: "phonetree roster import people.csv --db ./phonetree.db --region GB"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		var lint lintFlags
		fs := c.flags(e)
		db.register(fs)
		lint.register(c, fs)
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		r, rep, err := parseFile(e, pos[0], lint.options())
		if err != nil {
			return err
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		prev, prevV, err := engine.LoadRoster(ctx, st, key, 0)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		newWords, err := roster.AssignWords(r, prev, rand.Reader)
		if err != nil {
			return err
		}
		diff := roster.Compare(prev, r)
		if prev != nil && diff.Empty() {
			fmt.Fprintf(e.stdout, "no changes: roster version %d stays current (%d people)\n", prevV.ID, len(r.People))
			return nil
		}
		var diffText, lintText strings.Builder
		diff.WriteText(&diffText)
		rep.WriteText(&lintText)
		v := &store.RosterVersion{CreatedAt: time.Now().UnixNano(), Diff: diffText.String(), Lint: lintText.String()}
		if err := engine.ImportRoster(ctx, st, key, r, v, cliActor(e)); err != nil {
			return fmt.Errorf("save roster: %w", err)
		}
		fmt.Fprintf(e.stdout, "imported roster version %d: %d people, %d warnings, %d new anti-phishing words\n%s", v.ID, len(r.People), len(rep.Warnings), newWords, diffText.String())
		if len(rep.Warnings) > 0 {
			fmt.Fprint(e.stdout, lintText.String())
		}
		return nil
	}
	return c
}

func rosterCheckCommand() command {
	c := command{name: "roster check", usage: "FILE.csv",
		summary: "lint a roster CSV without importing it (exit 1 on errors)",
		example: "phonetree roster check people.csv"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var lint lintFlags
		fs := c.flags(e)
		lint.register(c, fs)
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		r, rep, err := parseFile(e, pos[0], lint.options())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d people, no errors, %d warnings\n", pos[0], len(r.People), len(rep.Warnings))
		rep.WriteText(e.stdout)
		return nil
	}
	return c
}

func rosterExportCommand() command {
	c := command{name: "roster export", usage: "[--version N] [--db PATH]",
		summary: "write a roster version as CSV to standard output (numbers in E.164)",
		example: "phonetree roster export --db ./phonetree.db > people.csv"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		version := fs.Int64("version", 0, "roster version (default the latest)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		r, err := loadVersion(ctx, e, &db, *version)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(e.stdout, 1<<20)
		if err := roster.WriteCSV(w, r); err != nil {
			return err
		}
		return w.Flush()
	}
	return c
}

func loadVersion(ctx context.Context, e *env, db *dbFlags, version int64) (*roster.Roster, error) {
	st, key, err := db.open(ctx, e)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	r, _, err := engine.LoadRoster(ctx, st, key, version)
	if errors.Is(err, store.ErrNotFound) {
		if version == 0 {
			return nil, engine.ErrNoRoster
		}
		return nil, fmt.Errorf("--version %d: no such roster version", version)
	}
	return r, err
}

func rosterDiffCommand() command {
	c := command{name: "roster diff", usage: "A B",
		summary: "show what changed between two rosters: each a CSV file or a version number of --db",
		example: "phonetree roster diff 3 people-new.csv --db ./phonetree.db"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		var lint lintFlags
		fs := c.flags(e)
		db.register(fs)
		lint.register(c, fs)
		pos, err := parse(fs, args, 2, 2)
		if err != nil {
			return err
		}
		var rs [2]*roster.Roster
		for i, a := range pos {
			if n, err := strconv.ParseInt(a, 10, 64); err == nil {
				rs[i], err = loadVersion(ctx, e, &db, n)
				if err != nil {
					return err
				}
			} else if rs[i], _, err = parseFile(e, a, lint.options()); err != nil {
				return err
			}
		}
		roster.Compare(rs[0], rs[1]).WriteText(e.stdout)
		return nil
	}
	return c
}

func rosterGenerateCommand() command {
	c := command{name: "roster generate", usage: "--people N [--seed S]",
		summary: "write a synthetic organisation as roster CSV to standard output (for demos and benchmarks)",
		example: "phonetree roster generate --people 5000 --seed 1 > people.csv"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		fs := c.flags(e)
		people := fs.Int("people", 1000, "number of people")
		seed := fs.Int64("seed", 1, "random seed (same seed, same file)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		if *people < 1 {
			return usageError{"--people: must be at least 1"}
		}
		w := bufio.NewWriterSize(e.stdout, 1<<20)
		if err := roster.Generate(w, *people, *seed); err != nil {
			return err
		}
		return w.Flush()
	}
	return c
}

func treeShowCommand() command {
	c := command{name: "tree show", usage: "[--root ID] [--depth N] [--db PATH]",
		summary: "print the call tree, indented, with the number of people in each branch",
		example: "phonetree tree show --root E000001 --depth 2"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		root := fs.String("root", "", "show only this person's branch")
		depth := fs.Int("depth", 0, "levels to show (0: all)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		r, err := loadVersion(ctx, e, &db, 0)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(e.stdout)
		if err := roster.WriteTree(w, r, *root, *depth); err != nil {
			return err
		}
		return w.Flush()
	}
	return c
}
