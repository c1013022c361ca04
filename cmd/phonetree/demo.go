package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/store/sqlite"
)

func demoCommand() command {
	c := command{name: "demo", usage: "[--people N] [--mode broadcast|cascade|relay] [--seed S] [--json]",
		summary: "generate an org, send a bulletin on the simulated carrier, watch it spread, print the summary",
		example: "phonetree demo --people 5000 --mode cascade --seed 7"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		fs := c.flags(e)
		people := fs.Int("people", 2000, "people in the generated org")
		modeName := fs.String("mode", "broadcast", "broadcast, cascade or relay")
		seed := fs.Int64("seed", 1, "random seed for the org and the simulated people (same seed, same run)")
		asJSON := fs.Bool("json", false, "print the summary as one JSON object")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		mode, err := parseModeFlag(*modeName)
		if err != nil {
			return err
		}
		if *people < 1 {
			return usageError{"--people: must be at least 1"}
		}
		dir, err := os.MkdirTemp("", "phonetree-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		out := e.stdout
		if *asJSON {
			out = e.stderr
		}
		s, err := runDemo(ctx, dir, *people, mode, *seed, newProgress(out))
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(s)
		}
		printSummary(e.stdout, s)
		return nil
	}
	return c
}

func runDemo(ctx context.Context, dir string, people int, mode cascade.Mode, seed int64, pr *progress) (*engine.Status, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	key, _, err := (&dbFlags{db: filepath.Join(dir, "demo.db")}).keyQuiet()
	if err != nil {
		return nil, err
	}
	if _, err := generateRoster(ctx, st, key, people, seed); err != nil {
		return nil, err
	}
	sm := newSimulation(st, key, uint64(seed), simLimits)
	b, err := sm.eng.Send(ctx, engine.Bulletin{Status: "exercise", Title: "Network compromise",
		Body: "Do not use company email or chat. Updates come only by this channel.",
		Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode)}})
	if err != nil {
		return nil, err
	}
	lastShown := time.Now()
	sm.driver.Progress = func(now time.Time) error {
		if time.Since(lastShown) < pr.interval {
			return nil
		}
		lastShown = time.Now()
		s, err := sm.eng.Status(ctx, b.ID)
		if err != nil {
			return err
		}
		pr.show(s, now.Sub(simStart), false)
		return ctx.Err()
	}
	if err := sm.driver.Run(ctx); err != nil {
		return nil, err
	}
	s, err := sm.eng.Status(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	pr.show(s, sm.driver.Clock.Now().Sub(simStart), true)
	return s, nil
}

func printSummary(w io.Writer, s *engine.Status) {
	fmt.Fprintf(w, "\nBulletin %d (%s): %q\n", s.Bulletin, s.Mode, s.Title)
	fmt.Fprintf(w, "  people %d, reachable %d, acked %d (%.1f%%), unreached %d\n",
		s.People, s.Reachable, s.Acked, pct(s.Acked, s.Reachable), s.Unreached)
	fmt.Fprintf(w, "  time to acked: 50%% %s, 90%% %s, 99%% %s (simulated time)\n", dur(s.T50), dur(s.T90), dur(s.T99))
	var methods []string
	for m := range s.Attempts {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	fmt.Fprint(w, "  attempts:")
	for _, m := range methods {
		fmt.Fprintf(w, " %s %d", m, s.Attempts[m])
	}
	fmt.Fprintf(w, "\n  call tasks opened: %d\n", s.CallTasks)
	if len(s.Unreachers) > 0 {
		fmt.Fprintf(w, "  unreached, with who should call them:\n")
		for i, u := range s.Unreachers {
			if i == 15 {
				fmt.Fprintf(w, "    … and %d more (phonetree status --json lists all)\n", len(s.Unreachers)-i)
				break
			}
			caller := u.Caller
			if caller == "" {
				caller = "(no caller: operators)"
			}
			fmt.Fprintf(w, "    %-10s %-24s → %s\n", u.ID, u.Name, caller)
		}
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func dur(s *float64) string {
	if s == nil {
		return "never"
	}
	return (time.Duration(*s * float64(time.Second))).Truncate(time.Second).String()
}
