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
		serve := fs.Bool("serve", false, "serve the live dashboard and keep serving after the run until Ctrl-C (the default on a terminal without --json)")
		noServe := fs.Bool("no-serve", false, "do not serve the dashboard")
		speed := fs.Float64("speed", 0, "simulated seconds per wall second (0: as fast as possible; 200 when serving the dashboard)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		interactive := isTTY(e.stdout) && !*asJSON
		watch := (*serve || interactive) && !*noServe
		if *speed < 0 {
			return usageError{"--speed: must not be negative"}
		}
		if *speed == 0 && watch {
			*speed = 200
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
		s, dash, err := runDemo(ctx, dir, demoRun{people: *people, mode: mode, seed: *seed, speed: *speed, watch: watch}, newProgress(out), out)
		if err != nil {
			return err
		}
		if *asJSON {
			err = json.NewEncoder(e.stdout).Encode(s)
		} else {
			printSummary(e.stdout, s)
		}
		if dash == nil {
			return err
		}
		fmt.Fprintf(out, "\nThe dashboard stays up at %s; press Ctrl-C to stop.\n", dash.url)
		<-ctx.Done()
		return dash.close()
	}
	return c
}

// demoRun is what the demo runs.
type demoRun struct {
	people int
	mode   cascade.Mode
	seed   int64
	speed  float64 // simulated seconds per wall second; 0: unpaced
	watch  bool    // serve the live dashboard
}

// runDemo runs the demo in dir; with watch, the dashboard it returns is
// still serving (the caller closes it) and the store stays open until then.
func runDemo(ctx context.Context, dir string, d demoRun, pr *progress, out io.Writer) (*engine.Status, *dashboard, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return nil, nil, err
	}
	key, _, err := (&dbFlags{db: filepath.Join(dir, "demo.db")}).keyQuiet()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if _, err := generateRoster(ctx, st, key, d.people, d.seed); err != nil {
		st.Close()
		return nil, nil, err
	}
	sm := newSimulation(st, key, uint64(d.seed), simLimits)
	var dash *dashboard
	if d.watch {
		if dash, err = startDashboard(ctx, out, st, sm.eng, key); err != nil {
			st.Close()
			return nil, nil, err
		}
		dash.after = st.Close
	} else {
		defer st.Close()
	}
	s, err := demoBulletin(ctx, sm, d, pr)
	if err != nil && dash != nil {
		dash.close()
	}
	return s, dash, err
}

func demoBulletin(ctx context.Context, sm *simulation, d demoRun, pr *progress) (*engine.Status, error) {
	b, err := sm.eng.Send(ctx, engine.Bulletin{Status: "exercise", Title: "Network compromise", Actor: "demo",
		Body: "Do not use company email or chat. Updates come only by this channel.",
		Spec: engine.Spec{Policy: cascade.DefaultPolicy(d.mode)}})
	if err != nil {
		return nil, err
	}
	paced := func(time.Time) {}
	if d.speed > 0 {
		paced = pace(d.speed, simStart)
	}
	lastShown := time.Now()
	sm.driver.Progress = func(now time.Time) error {
		paced(now)
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
