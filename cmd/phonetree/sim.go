package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/sim"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/simrun"
	"phonetree/internal/store"
)

// simStart is when simulated runs begin: a Monday in business hours, so the
// sim's daytime model applies and the same seed gives the same run.
var simStart = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// simLimits are carrier limits for the demo: a short code for SMS, a few
// calls a second, a mail relay.
var simLimits = map[string]engine.Limit{
	"sms": {Rate: 100, Burst: 100}, "voice": {Rate: 10, Burst: 10}, "email": {Rate: 50, Burst: 50},
}

// simulation is an engine on the sim provider and a fake clock.
type simulation struct {
	eng    *engine.Engine
	driver *simrun.Driver
}

func newSimulation(st store.Store, key *seal.Key, seed uint64, limits map[string]engine.Limit) *simulation {
	clk := clock.NewFake(simStart)
	sp := sim.New(seed, sim.DefaultModel(), clk)
	ps := map[string]provider.Provider{}
	for _, m := range []string{"sms", "voice", "email", "webhook"} {
		ps[m] = sp
	}
	eng := engine.New(engine.Config{Store: st, Clock: clk, Key: key, Providers: ps, Limits: limits, SendWorkers: 1})
	return &simulation{eng: eng, driver: &simrun.Driver{Engine: eng, Sim: sp, Clock: clk, Start: simStart, Settle: true}}
}

// generateRoster makes a synthetic org and stores it as the first version.
func generateRoster(ctx context.Context, st store.Store, key *seal.Key, people int, seed int64) (*roster.Roster, error) {
	var buf bytes.Buffer
	if err := roster.Generate(&buf, people, seed); err != nil {
		return nil, err
	}
	r, rep, err := roster.Parse(&buf, roster.Options{})
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("generated roster failed lint: %s", rep.Errors[0])
	}
	var s [32]byte
	s[0], s[1], s[2], s[3] = byte(seed), byte(seed>>8), byte(seed>>16), byte(seed>>24)
	if _, err := roster.AssignWords(r, nil, rand.NewChaCha8(s)); err != nil {
		return nil, err
	}
	return r, engine.SaveRoster(ctx, st, key, r, &store.RosterVersion{CreatedAt: simStart.UnixNano()})
}

// progress prints reached / acked / unreached, in place on a terminal.
type progress struct {
	w        io.Writer
	tty      bool
	interval time.Duration
}

func newProgress(w io.Writer) *progress {
	tty := isTTY(w)
	p := &progress{w: w, tty: tty, interval: 2 * time.Second}
	if tty {
		p.interval = 100 * time.Millisecond
	}
	return p
}

func (p *progress) show(s *engine.Status, virtual time.Duration, final bool) {
	line := fmt.Sprintf("t+%-8s reached %d  acked %d  unreached %d  of %d",
		virtual.Truncate(time.Second), s.Reached, s.Acked, s.Unreached, s.People)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	fmt.Fprintln(p.w, line)
}

func parseModeFlag(s string) (cascade.Mode, error) {
	m, err := cascade.ParseMode(strings.ToLower(s))
	if err != nil {
		return 0, usageError{"--mode: " + err.Error()}
	}
	return m, nil
}
