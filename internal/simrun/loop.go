package simrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"phonetree/internal/cascade"
)

// maxSteps bounds a simulation: a run that has not settled by then is a bug.
const maxSteps = 200000

func (st *simState) loop(ctx context.Context) error {
	f := st.cfg.Faults
	cancelAt := -1
	if f.Cancel {
		cancelAt = 3 + st.rng.IntN(40)
	}
	for step := 0; step < maxSteps; step++ {
		st.res.Steps = step
		if err := st.drain(ctx); err != nil {
			return err
		}
		if err := st.land(ctx); err != nil { // the checks read what has landed
			return err
		}
		if err := st.check(ctx, step, false); err != nil {
			return err
		}
		if step == cancelAt {
			if err := st.retry(func() error { return st.eng.Cancel(ctx, st.bulletin) }); err != nil {
				return err
			}
		}
		if f.Restarts && st.rng.IntN(20) == 0 {
			if err := st.restart(ctx); err != nil {
				return err
			}
		}
		next, ok, err := st.next(ctx)
		if err != nil {
			return err
		}
		if !ok && len(st.pending) == 0 {
			return st.check(ctx, step, true)
		}
		if ok {
			st.clock.Set(next.Add(max(time.Second, next.Sub(Start)/50)))
		}
		due := st.src.Due(st.clock.Now())
		st.res.Reports += len(due)
		st.pending = append(st.pending, due...)
		if err := st.deliver(ctx); errors.Is(err, ErrInjected) {
			if err := st.failed(ctx); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return fmt.Errorf("seed %d: did not settle in %d steps", st.cfg.Seed, maxSteps)
}

// deliver gives the engine the pending reports.
func (st *simState) deliver(ctx context.Context) error {
	if !st.pipelined {
		if err := st.eng.Deliver(ctx, st.pending); err != nil {
			return err
		}
		st.pending = nil
		return nil
	}
	if _, err := st.eng.Step(ctx, st.pending); err != nil {
		return err
	}
	st.unlanded, st.pending = append(st.unlanded, st.pending...), nil
	if st.cfg.landEach {
		return st.eng.Flush(ctx)
	}
	return nil
}

// failed handles an injected store failure: the carrier will call again
// with what was not recorded (with commits in flight, everything given
// since the last landing), and the process may die.
func (st *simState) failed(ctx context.Context) error {
	st.res.StoreErrors++
	st.pending, st.unlanded = append(st.unlanded, st.pending...), nil
	return st.maybeCrash(ctx)
}

// land waits for the commit in flight (pipelined runs).
func (st *simState) land(ctx context.Context) error {
	if !st.pipelined {
		return nil
	}
	for {
		err := st.eng.Flush(ctx)
		if !errors.Is(err, ErrInjected) {
			if err == nil {
				st.unlanded = nil
			}
			return err
		}
		if err := st.failed(ctx); err != nil {
			return err
		}
	}
}

func (st *simState) drain(ctx context.Context) error {
	for {
		var n int
		var err error
		if st.pipelined {
			if n, err = st.eng.Step(ctx, nil); err == nil && st.cfg.landEach {
				err = st.eng.Flush(ctx)
			}
		} else {
			n, err = st.eng.Tick(ctx)
		}
		if errors.Is(err, ErrInjected) {
			if err := st.failed(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil || n == 0 {
			return err
		}
	}
}

// maybeCrash turns some store failures into a process death mid-transaction.
func (st *simState) maybeCrash(ctx context.Context) error {
	if st.cfg.Faults.Restarts && st.rng.IntN(2) == 0 {
		return st.restart(ctx)
	}
	return nil
}

// restart kills the engine (its memory is gone) and starts a new one on
// the same file, as after kill -9; the carrier lives on outside.
func (st *simState) restart(ctx context.Context) error {
	st.res.Restarts++
	if err := st.raw.Close(); err != nil {
		return err
	}
	st.clock.Advance(2 * time.Minute) // the restart takes a while; leases expire
	if err := st.open(ctx); err != nil {
		return err
	}
	return st.retry(func() error { _, err := st.eng.Recover(ctx); return err })
}

// next is the earlier of the engine's next due work and the carrier's next
// report; when the engine has nothing left to do the run has settled.
func (st *simState) next(ctx context.Context) (time.Time, bool, error) {
	e, eok, err := st.eng.NextDue(ctx)
	if err != nil || !eok {
		return time.Time{}, false, err
	}
	if s, sok := st.src.NextAt(); sok && s.Before(e) {
		return s, true, nil
	}
	return e, true, nil
}

// check verifies the invariants; at the end also that everyone is terminal.
func (st *simState) check(ctx context.Context, step int, final bool) error {
	f := st.cfg.Faults
	err := Check(ctx, st.raw, st.people, st.bulletin, st.carrier.Sends(), f.ProviderErrors || f.StoreErrors)
	if err == nil && final {
		rs, lerr := st.raw.AllRecipients(ctx, st.bulletin)
		if lerr != nil {
			return lerr
		}
		for _, r := range rs {
			if !cascade.State(r.State).Terminal() {
				err = &Violation{1, st.people.People[r.Idx].ID, fmt.Sprintf("%v when the run settled", cascade.State(r.State))}
				break
			}
		}
	}
	if err == nil {
		return nil
	}
	fail := &Failure{Seed: st.cfg.Seed, Step: step, Err: err}
	var v *Violation
	if errors.As(err, &v) {
		fail.Trace = st.trace(ctx, v.Recipient)
	}
	return fail
}

// trace is the violating recipient's own history: its events and attempts.
func (st *simState) trace(ctx context.Context, id string) []string {
	i, ok := st.people.Index(id)
	if !ok {
		return nil
	}
	var out []string
	es, _ := st.raw.Events(ctx, st.bulletin)
	for _, e := range es {
		if e.Idx == int32(i) {
			out = append(out, fmt.Sprintf("t+%-10v event %-12s %s", time.Duration(e.At-Start.UnixNano()), e.Kind, e.Detail))
		}
	}
	as, _ := st.raw.BulletinAttempts(ctx, st.bulletin)
	for _, a := range as {
		if a.Idx == int32(i) {
			out = append(out, fmt.Sprintf("t+%-10v attempt %d %s status %d %s", time.Duration(a.CreatedAt-Start.UnixNano()), a.Seq, a.Method, a.Status, a.Error))
		}
	}
	return out
}
