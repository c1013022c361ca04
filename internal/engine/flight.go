package engine

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"phonetree/internal/store"
)

// A driver that has the next step's work in hand (the simulator) need not
// wait for each commit: Step hands its batch to the commit in flight and
// returns, and the next step is computed while that commit runs, on another
// core. While a commit runs, the batches handed to it queue up as one (a
// group commit: the busier the writer, the bigger and fewer its
// transactions), up to maxJoined changes, past which Step waits. Every
// method other than Step waits until all has landed, and a failed commit
// fails everything queued on top of it. Nothing is handed to a provider on
// the strength of a commit in flight, except to idempotent providers, which
// are handed work before its commit anyway.
//
// While a commit is in flight, the engine reads through it: the cache and
// the schedule (schedule.go) hold its recipients as it writes them, and
// queued attempts are read from the store with the flight's own set aside.
// What a read returns therefore does not depend on whether the flight has
// landed yet, so a seeded simulation stays deterministic.

// maxJoined bounds the changes queued behind a commit in flight, and
// maxNoted the attempts a flight sets aside for reads (a flight lasts while
// the writer stays busy; past these, the next batch waits for it to land).
const (
	maxJoined = 100_000
	maxNoted  = 500_000
)

// flight is the batches being committed (their recipients are in the cache
// and the schedule already), one transaction after another.
type flight struct {
	done      chan struct{} // closed when all has landed or one failed
	err       error
	attempts  map[int64]store.AttemptUpdate // updates and new attempts, by id
	withdrawn map[int64]bool                // recipients whose open attempts it withdraws
	queues    bool                          // it queues an attempt (reads of the queue then wait for it)

	mu      sync.Mutex
	next    *store.Batch // queued behind the transaction being written
	running bool
}

// launch hands batch b to the commit in flight, or starts one; the caller
// holds e.mu.
func (e *Engine) launch(ctx context.Context, b *store.Batch) error {
	if f := e.flight; f != nil {
		f.mu.Lock()
		if f.running && len(f.attempts) < maxNoted && (f.next == nil || f.next.Len()+b.Len() <= maxJoined) {
			if f.next == nil {
				f.next = b
			} else {
				join(f.next, b)
			}
			f.mu.Unlock()
			f.note(b)
			return nil
		}
		f.mu.Unlock()
		if err := e.land(); err != nil {
			return err
		}
	}
	f := &flight{done: make(chan struct{}), attempts: map[int64]store.AttemptUpdate{}, withdrawn: map[int64]bool{}, running: true}
	f.note(b)
	e.flight = f
	go func() {
		ctx := context.WithoutCancel(ctx)
		for b != nil {
			err := e.cfg.Store.Apply(ctx, b)
			f.mu.Lock()
			b, f.next = f.next, nil
			if err != nil {
				f.err, b = err, nil // what was queued on top is lost with it
			}
			f.running = b != nil
			f.mu.Unlock()
		}
		close(f.done)
	}()
	return nil
}

// note adds b's attempts to what reads set aside.
func (f *flight) note(b *store.Batch) {
	for _, a := range b.NewAttempts {
		f.attempts[a.ID] = store.AttemptUpdate{ID: a.ID, Status: a.Status, DueAt: a.DueAt}
		f.queues = f.queues || a.Status == store.AttemptQueued
	}
	for _, u := range b.Attempts {
		f.attempts[u.ID] = u
		f.queues = f.queues || u.Status == store.AttemptQueued
	}
	for _, r := range b.WithdrawFor {
		f.withdrawn[rkey(r.Bulletin, r.Idx)] = true
	}
}

// join appends batch b's changes to a, as if a's transaction had made them
// after its own: a recipient's newer row replaces the older, the rest queue
// in order.
func join(a, b *store.Batch) {
	rs := make([]store.Recipient, 0, len(a.Recipients)+len(b.Recipients))
	i, j := 0, 0
	for i < len(a.Recipients) || j < len(b.Recipients) {
		switch {
		case j == len(b.Recipients):
			rs, i = append(rs, a.Recipients[i]), i+1
		case i == len(a.Recipients):
			rs, j = append(rs, b.Recipients[j]), j+1
		default:
			ka, kb := rkey(a.Recipients[i].Bulletin, a.Recipients[i].Idx), rkey(b.Recipients[j].Bulletin, b.Recipients[j].Idx)
			switch {
			case ka < kb:
				rs, i = append(rs, a.Recipients[i]), i+1
			case kb < ka:
				rs, j = append(rs, b.Recipients[j]), j+1
			default:
				rs, i, j = append(rs, b.Recipients[j]), i+1, j+1
			}
		}
	}
	a.Recipients = rs
	a.NewAttempts = append(a.NewAttempts, b.NewAttempts...)
	slices.SortFunc(a.NewAttempts, func(x, y store.Attempt) int { return cmp.Compare(x.ID, y.ID) })
	a.Attempts = append(a.Attempts, b.Attempts...)
	slices.SortStableFunc(a.Attempts, func(x, y store.AttemptUpdate) int { return cmp.Compare(x.ID, y.ID) })
	a.WithdrawFor = append(a.WithdrawFor, b.WithdrawFor...)
	a.Events = append(a.Events, b.Events...)
	a.CallTasks = append(a.CallTasks, b.CallTasks...)
	a.Bulletins = append(a.Bulletins, b.Bulletins...)
	a.Audit = append(a.Audit, b.Audit...)
}

// land waits for the commit in flight, if any, and returns its error; after
// a failure the cache is emptied (it held the failed batch).
func (e *Engine) land() error {
	f := e.flight
	if f == nil {
		return nil
	}
	<-f.done
	e.flight = nil
	if f.err != nil {
		e.forget()
	}
	return f.err
}

// Flush waits until everything Step started is committed.
func (e *Engine) Flush(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.land()
}

// due returns up to limit recipients due at now, oldest first (ties by
// bulletin, then recipient), as the store holds them once any flight lands.
// It takes them off the schedule: the work that steps them sets them again.
func (w *work) due(now int64, limit int) ([]store.Recipient, error) {
	e := w.e
	if err := e.loadSchedule(w.ctx); err != nil {
		return nil, err
	}
	if e.sched == nil { // no cache, so no schedule: the store's index
		return e.cfg.Store.Due(w.ctx, now, limit)
	}
	keys := e.sched.pop(now, limit)
	w.popped = append(w.popped, keys...)
	if err := w.loadKeys(keys); err != nil {
		return nil, err
	}
	out := make([]store.Recipient, len(keys))
	for i, k := range keys {
		out[i] = *w.loaded[k]
	}
	return out, nil
}

// queued returns up to limit attempts queued and due at now. A flight that
// queues attempts lands first (its attempts are not all in it whole); one
// that settles or withdraws attempts has them set aside.
func (e *Engine) queued(ctx context.Context, now int64, limit int) ([]store.Attempt, error) {
	if f := e.flight; f != nil && f.queues {
		if err := e.land(); err != nil {
			return nil, err
		}
	}
	f := e.flight
	if f == nil {
		return e.cfg.Store.Queued(ctx, now, limit)
	}
	as, err := e.cfg.Store.Queued(ctx, now, limit+len(f.attempts))
	if err != nil {
		return nil, err
	}
	out := as[:0]
	for _, a := range as {
		if !f.settles(a) {
			out = append(out, a)
		}
	}
	return out[:min(len(out), limit)], nil
}

// settles reports whether the flight changes attempt a.
func (f *flight) settles(a store.Attempt) bool {
	_, ok := f.attempts[a.ID]
	return ok || f.withdrawn[rkey(a.Bulletin, a.Idx)]
}

// nextDue is the earliest next action of any recipient or queued attempt,
// as the store holds them once any flight lands, or of a call task's
// escalation.
func (e *Engine) nextDue(ctx context.Context) (int64, bool, error) {
	if err := e.loadSchedule(ctx); err != nil {
		return 0, false, err
	}
	next := int64(math.MaxInt64)
	if e.escal != nil {
		if n, ok := e.escal.when.next(); ok {
			next = n
		}
	}
	if e.sched == nil {
		n, ok, err := e.cfg.Store.NextDue(ctx)
		if err != nil || ok {
			next = min(next, n)
		}
		return next, next != math.MaxInt64, err
	}
	if n, ok := e.sched.next(); ok {
		next = min(next, n)
	}
	// the earliest queued attempt
	as, err := e.queued(ctx, math.MaxInt64, 1)
	if err != nil {
		return 0, false, err
	}
	if len(as) > 0 {
		next = min(next, as[0].DueAt)
	}
	return next, next != math.MaxInt64, nil
}

// NextDue is when the engine next has work: the earliest next action of any
// recipient or queued attempt.
func (e *Engine) NextDue(ctx context.Context) (time.Time, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, ok, err := e.nextDue(ctx)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	return time.Unix(0, n), true, nil
}
