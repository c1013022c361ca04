// Package simrun drives the engine and the sim provider on virtual time:
// it moves the fake clock to the next thing that happens (a recipient's
// timer, a queued attempt's slot, a simulated person's reply), so a long
// cascade runs as fast as the engine can persist it.
package simrun

import (
	"cmp"
	"context"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/sim"
)

// Source is where simulated reports come from (the sim provider, or a
// test's scripted carrier).
type Source interface {
	NextAt() (time.Time, bool)
	Due(t time.Time) []provider.Report
}

var _ Source = (*sim.Provider)(nil)

// Driver runs an engine with a simulated carrier on a fake clock.
type Driver struct {
	Engine *engine.Engine
	Sim    Source
	Clock  *clock.Fake
	Start  time.Time // when the run began, for quantum growth
	// Progress, if set, is called after each step of virtual time.
	Progress func(now time.Time) error
	// Until, if set, stops the run when it returns true (checked each step).
	Until func(now time.Time) bool
	// Settle stops the run once the engine has had nothing to do (every
	// recipient terminal) for SettleGrace: replies the simulated people
	// send later than that (a late ack days on) are not waited for; the
	// humans working call tasks within it are.
	Settle      bool
	SettleGrace time.Duration // default 30 minutes
	lastBusy    time.Time
}

// quantum is how far past the next event the clock moves in one step: at
// least a second, growing with the run's age so a long tail of late replies
// takes few steps. Reports carry their own times, so acks are timed exactly.
func (d *Driver) quantum(now time.Time) time.Duration {
	return max(time.Second, now.Sub(d.Start)/50)
}

// Run works until nothing is left to do: no recipient due, no attempt
// queued, no simulated reply pending. It steps the engine with its commits
// in flight (Engine.Step) and returns once the last has landed; a failed
// commit ends the run with its error.
func (d *Driver) Run(ctx context.Context) error {
	err := d.run(ctx)
	if ferr := d.Engine.Flush(ctx); err == nil {
		err = ferr
	}
	return err
}

func (d *Driver) run(ctx context.Context) error {
	for {
		if err := d.drain(ctx); err != nil {
			return err
		}
		if d.Until != nil && d.Until(d.Clock.Now()) {
			return nil
		}
		next, ok, err := d.next(ctx)
		if err != nil || !ok {
			return err
		}
		d.Clock.Set(next.Add(d.quantum(next)))
		if _, err := d.Engine.Step(ctx, d.Sim.Due(d.Clock.Now())); err != nil {
			return err
		}
		if d.Progress != nil {
			if err := d.Progress(d.Clock.Now()); err != nil {
				return err
			}
		}
	}
}

// drain ticks the engine until nothing is due now.
func (d *Driver) drain(ctx context.Context) error {
	for d.Engine.DueNow() {
		n, err := d.Engine.Step(ctx, nil)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

func (d *Driver) next(ctx context.Context) (time.Time, bool, error) {
	e, eok, err := d.Engine.NextDue(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	s, sok := d.Sim.NextAt()
	if eok || d.lastBusy.IsZero() {
		d.lastBusy = d.Clock.Now()
	}
	if grace := cmp.Or(d.SettleGrace, 30*time.Minute); d.Settle && !eok && (!sok || s.Sub(d.lastBusy) > grace) {
		return time.Time{}, false, nil
	}
	switch {
	case eok && sok:
		if s.Before(e) {
			return s, true, nil
		}
		return e, true, nil
	case eok:
		return e, true, nil
	}
	return s, sok, nil
}

// Pump delivers the sim's reports to the engine as the (real or scaled)
// clock reaches them, until ctx ends. It is the sim's stand-in for a
// carrier's webhooks when the engine runs live (serve, demo in a browser).
func Pump(ctx context.Context, eng *engine.Engine, src Source, c clock.Clock, poll time.Duration) error {
	for {
		if due := src.Due(c.Now()); len(due) > 0 {
			if err := eng.Deliver(ctx, due); err != nil && ctx.Err() == nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}
