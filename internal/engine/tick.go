package engine

import (
	"context"
	"fmt"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/provider/parallel"
	"phonetree/internal/store"
)

// Tick does the work due now: releases and timers of due recipients and
// queued attempts whose rate-limit slot has come. It returns how many
// recipients and attempts it handled; call it until it returns 0.
func (e *Engine) Tick(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.newWork(ctx)
	if err != nil {
		return 0, err
	}
	return w.step(nil)
}

// Step applies reports (as Deliver) and does the work due now (as Tick) in
// one transaction, and returns how many recipients and attempts came due.
// It is for a driver that holds both at once (the simulator): its commit is
// left in flight (see flight.go), to land at the next call or at Flush.
func (e *Engine) Step(ctx context.Context, reports []provider.Report) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.startWork(ctx)
	w.pipelined = true
	return w.step(reports)
}

func (w *work) step(reports []provider.Report) (int, error) {
	n, err := w.tick(reports)
	if err == nil {
		err = w.commit()
	}
	if err != nil {
		w.e.forget() // it may have taken recipients off the schedule
		return 0, err
	}
	return n, w.handOver()
}

// tick applies reports, then steps the recipients due now and claims the
// queued attempts whose rate-limit slot has come.
func (w *work) tick(reports []provider.Report) (int, error) {
	e := w.e
	if err := w.reports(reports); err != nil {
		return 0, err
	}
	escalated, err := w.escalate()
	if err != nil {
		return 0, fmt.Errorf("call tasks: %w", err)
	}
	if w.now.After(e.horizon) {
		e.horizon = w.now
	}
	now := w.now.UnixNano()
	due, err := w.due(now, e.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("due recipients: %w", err)
	}
	for _, r := range due {
		// one this work's reports changed already is stepped as it is now, if still due
		if cur, ok := w.loaded[rkey(r.Bulletin, r.Idx)]; ok {
			if next := cur.NextAt(); next == 0 || next > now {
				continue
			}
			r = *cur
		}
		rn, err := e.loadRun(w.ctx, r.Bulletin)
		if err != nil {
			return 0, err
		}
		ev := cascade.Event{Kind: cascade.Timer}
		if cascade.State(r.State) == cascade.Pending && r.Flags&store.FlagRelay == 0 {
			ev.Kind = cascade.Release
		}
		w.apply(rn, r, ev)
		k := rkey(r.Bulletin, r.Idx)
		if cur := w.loaded[k]; cur.NextAt() != 0 && cur.NextAt() <= now {
			// Step left a timer in the past: never spin on it.
			e.cfg.Log.Error("recipient timer stuck; cleared", "bulletin", r.Bulletin, "recipient", r.Idx, "state", cascade.State(cur.State))
			cur.MethodAt, cur.HealAt = 0, 0
			if !w.isDirty[k] {
				w.isDirty[k] = true
				w.dirty = append(w.dirty, k)
			}
		}
	}
	queued, err := e.queued(w.ctx, now, e.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("queued attempts: %w", err)
	}
	for _, a := range queued {
		// a queued attempt's DueAt is the rate-limit slot reserved for it
		a.Status, a.LeaseUntil = store.AttemptSending, w.now.Add(e.cfg.Lease).UnixNano()
		w.batch.Attempts = append(w.batch.Attempts, store.AttemptUpdate{ID: a.ID, Status: a.Status, LeaseUntil: a.LeaseUntil, At: now})
		w.toSend = append(w.toSend, a)
	}
	if len(due) < e.cfg.Batch && len(queued) < e.cfg.Batch && len(reports) == 0 {
		// nothing more was due at this instant (and no report of this work
		// made anyone due that the query could not see yet)
		e.idleAt = w.now
	}
	return len(due) + len(queued) + escalated, nil
}

// DueNow reports whether work may still be due at the clock's current
// time: false once a Tick at this instant found less than a batch.
func (e *Engine) DueNow() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.idleAt.Equal(e.cfg.Clock.Now())
}

// handOver gives the claimed attempts to their providers and records the
// results, repeating for the attempts those results create.
func (w *work) handOver() error {
	if len(w.toSend) > 0 {
		if err := w.e.land(); err != nil { // their claims must be durable first
			return err
		}
	}
	for len(w.toSend) > 0 {
		sends := w.toSend
		w.toSend = nil
		var keys []int64
		for _, a := range sends {
			keys = append(keys, rkey(a.Bulletin, a.Idx))
		}
		if err := w.loadKeys(keys); err != nil {
			return err
		}
		if err := w.handAll(sends, false); err != nil {
			return err
		}
		if err := w.commit(); err != nil {
			return err
		}
	}
	return nil
}

// handAll gives attempts to their providers, up to Config.SendWorkers at
// once (a carrier's API answers in tens to hundreds of milliseconds), and
// records the results in order. A direct attempt (to an idempotent provider)
// was never written as claimed: its row is inserted now with the outcome. A
// claimed one is updated.
func (w *work) handAll(as []store.Attempt, direct bool) error {
	msgs := make([]provider.Message, len(as))
	for i, a := range as {
		rn, err := w.e.loadRun(w.ctx, a.Bulletin)
		if err != nil {
			return err
		}
		msgs[i] = rn.message(a, w.e.cfg.Links)
	}
	pick := func(m provider.Message) provider.Provider { return w.e.cfg.Providers[m.Method] }
	results := parallel.Send(w.ctx, msgs, pick, w.e.cfg.SendWorkers)
	for i, a := range as {
		if err := w.recordResult(a, results[i].ID, results[i].Err, direct); err != nil {
			return err
		}
	}
	return nil
}

// recordResult notes what became of one hand-over.
func (w *work) recordResult(a store.Attempt, id string, err error, direct bool) error {
	rn, lerr := w.e.loadRun(w.ctx, a.Bulletin)
	if lerr != nil {
		return lerr
	}
	up := store.AttemptUpdate{ID: a.ID, At: w.now.UnixNano(), ProviderID: id}
	outcome := cascade.Sent
	switch {
	case err == nil:
		up.Status = store.AttemptSent
	case provider.Classify(err) == provider.Permanent:
		up.Status, up.Error, outcome = store.AttemptFailed, err.Error(), cascade.Failed
		w.attemptEvent(a, up.Status, up.Error)
	default:
		up.Status, up.Error, up.DueAt = store.AttemptQueued, err.Error(), w.backoff(a, err)
	}
	if direct {
		a.Status, a.ProviderID, a.Error, a.DueAt, a.LeaseUntil = up.Status, up.ProviderID, up.Error, up.DueAt, 0
		w.batch.NewAttempts = append(w.batch.NewAttempts, a)
	} else {
		w.batch.Attempts = append(w.batch.Attempts, up)
	}
	if up.Status != store.AttemptQueued && a.Kind == store.AttemptContact {
		w.apply(rn, *w.loaded[rkey(a.Bulletin, a.Idx)], cascade.Event{Kind: cascade.AttemptResult, Attempt: int(a.Seq), Outcome: outcome})
	}
	return nil
}

// backoff is when to retry a transiently failed attempt: the provider's
// RetryAfter, else doubling with the attempt's age, from 1 s to 5 minutes.
func (w *work) backoff(a store.Attempt, err error) int64 {
	var pe *provider.Error
	d := max(time.Duration(w.now.UnixNano()-a.CreatedAt), time.Second)
	if ok := asProviderError(err, &pe); ok && pe.RetryAfter > 0 {
		d = pe.RetryAfter
	}
	return w.now.Add(min(d, 5*time.Minute)).UnixNano()
}

var attemptStatusNames = [...]string{"queued", "sending", "sent", "delivered", "failed", "withdrawn", "unknown"}

func (w *work) attemptEvent(a store.Attempt, status uint8, detail string) {
	w.batch.Events = append(w.batch.Events, store.Event{Bulletin: a.Bulletin, Idx: a.Idx, At: w.now.UnixNano(),
		Kind: "attempt " + attemptStatusNames[status], Attempt: a.ID, Detail: a.Method + " " + detail})
	delete(w.lastEv, rkey(a.Bulletin, a.Idx)) // later state changes get their own entry
}

// loadKeys loads recipients by key, grouped per bulletin.
func (w *work) loadKeys(keys []int64) error {
	per := map[int64][]int32{}
	var order []int64
	for _, k := range keys {
		b := k >> 32
		if _, ok := per[b]; !ok {
			order = append(order, b)
		}
		per[b] = append(per[b], int32(k&(1<<32-1)))
	}
	for _, b := range order {
		if err := w.load(b, per[b]); err != nil {
			return err
		}
	}
	return nil
}
