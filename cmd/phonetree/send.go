package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/store"
)

func sendCommand() command {
	c := command{name: "send", usage: "--title T [--body B] [--mode M] [--audience ID,…] [--status exercise] [--simulate]",
		summary: "send a bulletin to the current roster (delivered by `phonetree serve`, or at once on the simulator with --simulate)",
		example: "phonetree send --title \"Network compromise\" --body \"Use only this channel\" --mode cascade --status exercise --simulate"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		title := fs.String("title", "", "title (required)")
		body := fs.String("body", "", "body")
		short := fs.String("short", "", "SMS text (default: the body)")
		modeName := fs.String("mode", "broadcast", "broadcast, cascade or relay")
		audience := fs.String("audience", "", "comma-separated root ids of the subtrees to reach (default everyone)")
		status := fs.String("status", "actual", "actual or exercise")
		kind := fs.String("kind", "alert", "alert, update or cancel (an all-clear that stops the incident's running bulletins)")
		incident := fs.Int64("incident", 0, "incident to add this bulletin to (default a new incident)")
		responses := fs.String("responses", "Safe,Need help", "comma-separated response options")
		breakGlass := fs.String("break-glass", "", "send an actual bulletin to more than --approval-threshold people without a second operator's approval, for this reason (loudly audited)")
		threshold := fs.Int("approval-threshold", 25, "two-person rule: an actual bulletin to more people than this waits for approval (0: off)")
		simulate := fs.Bool("simulate", false, "run the bulletin now on the simulated carrier (virtual time) and print the summary")
		seed := fs.Int64("seed", 1, "with --simulate: the simulated people's seed")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		if *title == "" {
			return usageError{"--title: required"}
		}
		mode, err := parseModeFlag(*modeName)
		if err != nil {
			return err
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		in := engine.Bulletin{Incident: *incident, Kind: *kind, Status: *status, Title: *title, Body: *body, Actor: cliActor(e), BreakGlass: *breakGlass,
			Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode), Short: *short, Responses: splitList(*responses), Audience: splitList(*audience)}}
		if !*simulate {
			eng := engine.New(engine.Config{Store: st, Key: key, ApprovalThreshold: *threshold})
			b, err := eng.Send(ctx, in)
			var held *engine.NeedsApproval
			if errors.As(err, &held) {
				fmt.Fprintf(e.stdout, "held for approval: %v\nan approver approves it in the dashboard's API (POST /api/v1/approvals/%d/approve), or an admin re-sends with --break-glass REASON\n", held, held.Request)
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "bulletin %d created (incident %d, %s, %d recipients); `phonetree serve --db %s` delivers it\n", b.ID, b.Incident, b.Mode, b.Recipients, db.db)
			return nil
		}
		sm := newSimulation(st, key, uint64(*seed), simLimits)
		sm.driver.Clock.Set(time.Now())
		sm.driver.Start = sm.driver.Clock.Now()
		b, err := sm.eng.Send(ctx, in)
		if err != nil {
			return err
		}
		if err := sm.driver.Run(ctx); err != nil {
			return err
		}
		s, err := sm.eng.Status(ctx, b.ID)
		if err != nil {
			return err
		}
		printSummary(e.stdout, s)
		return nil
	}
	return c
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func statusCommand() command {
	c := command{name: "status", usage: "[BULLETIN] [--watch] [--json] [--db PATH]",
		summary: "show a bulletin's progress: reached, acked, unreached, times to 50/90/99% acked (default the latest bulletin)",
		example: "phonetree status 3 --watch"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		watch := fs.Bool("watch", false, "refresh every second until the bulletin is done or cancelled")
		asJSON := fs.Bool("json", false, "print the status as one JSON object")
		pos, err := parse(fs, args, 0, 1)
		if err != nil {
			return err
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		id, err := bulletinArg(ctx, st, pos)
		if err != nil {
			return err
		}
		eng := engine.New(engine.Config{Store: st, Key: key})
		pr := newProgress(e.stdout)
		for {
			s, err := eng.Status(ctx, id)
			if err != nil {
				return err
			}
			done := s.Acked+s.Unreached+s.Cancelled == s.People || s.State != "running"
			switch {
			case *asJSON && (!*watch || done):
				return json.NewEncoder(e.stdout).Encode(s)
			case !*watch:
				printSummary(e.stdout, s)
				return nil
			case done:
				pr.show(s, time.Duration(time.Now().UnixNano()-s.Created), true)
				printSummary(e.stdout, s)
				return nil
			}
			if !*asJSON {
				pr.show(s, time.Duration(time.Now().UnixNano()-s.Created), false)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
	return c
}

func bulletinArg(ctx context.Context, st store.Store, pos []string) (int64, error) {
	if len(pos) == 1 {
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return 0, usageError{fmt.Sprintf("BULLETIN: %q is not a bulletin number", pos[0])}
		}
		if _, err := st.Bulletin(ctx, id); errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("bulletin %d: not found", id)
		}
		return id, nil
	}
	bs, err := st.Bulletins(ctx)
	if err != nil {
		return 0, err
	}
	if len(bs) == 0 {
		return 0, errors.New("no bulletins yet: send one with `phonetree send`")
	}
	return bs[0].ID, nil
}
