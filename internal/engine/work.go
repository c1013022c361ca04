package engine

import (
	"cmp"
	"context"
	"slices"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

// work is one transaction's worth of steps: recipients loaded and changed,
// and the batch of writes that makes the changes durable.
type work struct {
	e        *Engine
	ctx      context.Context
	now      time.Time
	loaded   map[int64]*store.Recipient
	dirty    []int64
	isDirty  map[int64]bool
	batch    store.Batch
	toSend   []store.Attempt // claimed by this process, to hand over after commit
	direct   []store.Attempt // for idempotent providers: handed over before commit
	withdraw map[int64]bool
	releases []release
	detail   string        // overrides the cause in Record events (an ack's source)
	lastEv   map[int64]int // recipient -> index of its latest event in this batch
	popped   []int64       // recipients taken off the schedule as due
	// call tasks to open later, for the index of escalations once committed
	escalations []escalation
	// pipelined work commits in flight (see flight.go); other work lands
	// any flight first and commits before it returns.
	pipelined bool
}

type release struct {
	rn     *run
	caller int32
	relay  bool
}

func rkey(b int64, idx int32) int64 { return b<<32 | int64(idx) }

// newWork starts work, after any commit in flight has landed.
func (e *Engine) newWork(ctx context.Context) (*work, error) {
	if err := e.land(); err != nil {
		return nil, err
	}
	return e.startWork(ctx), nil
}

// startWork starts work without waiting for a commit in flight.
func (e *Engine) startWork(ctx context.Context) *work {
	if e.flight == nil {
		e.syncCache(ctx) // with a flight, its commit checks instead (Batch.Unchanged)
	}
	return &work{e: e, ctx: ctx, now: e.cfg.Clock.Now(), loaded: map[int64]*store.Recipient{},
		isDirty: map[int64]bool{}, withdraw: map[int64]bool{}, lastEv: map[int64]int{}}
}

func flag(on bool, f uint8) uint8 {
	if on {
		return f
	}
	return 0
}

func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// apply steps recipient r (or its newer copy already in this work) with ev.
func (w *work) apply(rn *run, r store.Recipient, ev cascade.Event) {
	k := rkey(r.Bulletin, r.Idx)
	cur, ok := w.loaded[k]
	if !ok {
		cur = &r
		w.loaded[k] = cur
	}
	in := cascade.Recipient{
		State: cascade.State(cur.State), Method: int(cur.Method), Attempts: int(cur.Attempts),
		MethodAt: fromNS(cur.MethodAt), HealAt: fromNS(cur.HealAt), AckedAt: fromNS(cur.AckedAt),
		Response: int(cur.Response), CalleesReleased: cur.Flags&store.FlagCalleesReleased != 0,
		Relay: cur.Flags&store.FlagRelay != 0, Escalated: cur.Flags&store.FlagEscalated != 0,
		Plan: rn.plan(cur.Idx), HasCallees: rn.hasCallees(cur.Idx),
	}
	out, effects := cascade.Step(&rn.spec.Policy, in, ev, w.now)
	if len(effects) == 0 && out.MethodAt.Equal(in.MethodAt) && out.HealAt.Equal(in.HealAt) && out.Relay == in.Relay {
		return
	}
	cur.State, cur.Method, cur.Attempts = uint8(out.State), int8(out.Method), int16(out.Attempts)
	cur.MethodAt, cur.HealAt, cur.AckedAt, cur.Response = ns(out.MethodAt), ns(out.HealAt), ns(out.AckedAt), int8(out.Response)
	cur.Flags = flag(out.CalleesReleased, store.FlagCalleesReleased) | flag(out.Relay, store.FlagRelay) |
		flag(out.Escalated, store.FlagEscalated)
	if !w.isDirty[k] {
		w.isDirty[k] = true
		w.dirty = append(w.dirty, k)
	}
	for _, ef := range effects {
		w.effect(rn, cur, ef, in.State)
	}
}

func (w *work) effect(rn *run, r *store.Recipient, ef cascade.Effect, before cascade.State) {
	switch ef.Kind {
	case cascade.Send:
		w.newAttempt(rn, r.Idx, ef.Attempt, store.AttemptContact, rn.plan(r.Idx)[ef.Method])
	case cascade.WithdrawAttempts:
		w.withdraw[rkey(r.Bulletin, r.Idx)] = true
		if before == cascade.Contacting {
			// only a contacting recipient can have an attempt not yet handed over
			w.batch.WithdrawFor = append(w.batch.WithdrawFor, *r)
		}
	case cascade.ReleaseCallees:
		w.releases = append(w.releases, release{rn: rn, caller: r.Idx, relay: ef.Relay})
	case cascade.OpenCallTask:
		w.openCallTask(rn, r, 0)
	case cascade.Record:
		detail := w.detail
		if detail == "" {
			detail = ef.Cause.String()
		}
		w.record(r, ef.To, detail)
	}
}

// record logs a state change. Changes of one recipient at one instant within
// one transaction (released, then sent) are one entry: no one can observe the
// state between them, and the entry keeps every cause in order.
func (w *work) record(r *store.Recipient, to cascade.State, detail string) {
	k := rkey(r.Bulletin, r.Idx)
	if i, ok := w.lastEv[k]; ok && w.batch.Events[i].At == w.now.UnixNano() {
		ev := &w.batch.Events[i]
		ev.Kind, ev.Detail = to.String(), ev.Detail+","+detail
		return
	}
	w.lastEv[k] = len(w.batch.Events)
	w.batch.Events = append(w.batch.Events, store.Event{Bulletin: r.Bulletin, Idx: r.Idx, At: w.now.UnixNano(),
		Kind: to.String(), Detail: detail})
}

// newAttempt creates an attempt: claimed for sending now if the method's
// rate limit allows, else queued until its slot.
func (w *work) newAttempt(rn *run, idx int32, seq int, kind uint8, method string) {
	a := store.Attempt{ID: store.AttemptID(rn.b.ID, idx, seq), Bulletin: rn.b.ID, Idx: idx, Seq: int16(seq),
		Kind: kind, Method: method, CreatedAt: w.now.UnixNano(), UpdatedAt: w.now.UnixNano()}
	at := w.now
	if b := w.e.buckets[method]; b != nil {
		at = b.reserve(w.now)
	}
	switch {
	case at.After(w.now):
		a.Status, a.DueAt = store.AttemptQueued, at.UnixNano()
	case w.e.idempotent(method):
		// No claim is written first: a crash before this work commits leaves
		// the recipient as it was, its next step makes the same attempt (same
		// id, same key) and the provider deduplicates the second hand-over.
		w.direct = append(w.direct, a)
		return
	default:
		a.Status, a.LeaseUntil = store.AttemptSending, w.now.Add(w.e.cfg.Lease).UnixNano()
		w.toSend = append(w.toSend, a)
	}
	w.batch.NewAttempts = append(w.batch.NewAttempts, a)
}

// releaseCallees carries out ReleaseCallees effects, loading callees as needed;
// releasing may cascade further (a callee with no contact method is unreached at once).
func (w *work) releaseCallees() error {
	for len(w.releases) > 0 {
		rels := w.releases
		w.releases = nil
		for _, rel := range rels {
			callees := rel.rn.callees(rel.caller)
			if err := w.load(rel.rn.b.ID, callees); err != nil {
				return err
			}
			ev := cascade.Event{Kind: cascade.Release}
			if rel.relay {
				ev.Kind = cascade.RelayRelease
				w.callList(rel.rn, rel.caller)
			}
			for _, c := range callees {
				w.apply(rel.rn, *w.loaded[rkey(rel.rn.b.ID, c)], ev)
			}
		}
	}
	return nil
}

// callList sends a relay caller their list, on their first method.
func (w *work) callList(rn *run, caller int32) {
	if plan := rn.plan(caller); len(plan) > 0 {
		w.newAttempt(rn, caller, store.CallListSeq, store.AttemptCallList, plan[0])
	}
}

func (w *work) load(b int64, idxs []int32) error {
	var missing []int32
	for _, i := range idxs {
		k := rkey(b, i)
		if _, ok := w.loaded[k]; ok {
			continue
		}
		if r, ok := w.e.cache[k]; ok {
			w.loaded[k] = &r
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) == 0 {
		return nil
	}
	rs, err := w.e.cfg.Store.Recipients(w.ctx, b, missing)
	if err != nil {
		return err
	}
	for i := range rs {
		w.loaded[rkey(b, rs[i].Idx)] = &rs[i]
		w.e.remember(rs[i])
	}
	return nil
}

// commit hands direct attempts over, then makes the work durable in one
// transaction.
func (w *work) commit() error {
	for {
		if err := w.releaseCallees(); err != nil {
			return err
		}
		if len(w.direct) == 0 {
			break
		}
		var direct []store.Attempt
		for _, a := range w.direct {
			if !w.withdraw[rkey(a.Bulletin, a.Idx)] || a.Kind != store.AttemptContact {
				direct = append(direct, a) // else acked or cancelled in this same work: never sent
			}
		}
		w.direct = nil
		if err := w.handAll(direct, true); err != nil {
			return err
		}
	}
	// Writes in key order touch each page once and in order.
	slices.Sort(w.dirty)
	for _, k := range w.dirty {
		w.batch.Recipients = append(w.batch.Recipients, *w.loaded[k])
	}
	slices.SortFunc(w.batch.NewAttempts, func(a, b store.Attempt) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(w.batch.Attempts, func(a, b store.AttemptUpdate) int { return cmp.Compare(a.ID, b.ID) })
	if len(w.withdraw) > 0 {
		kept := w.toSend[:0]
		for _, a := range w.toSend {
			if !w.withdraw[rkey(a.Bulletin, a.Idx)] || a.Kind != store.AttemptContact {
				kept = append(kept, a)
			}
		}
		w.toSend = kept
	}
	e := w.e
	if e.sched != nil {
		// what this work took off the schedule goes back as it leaves it
		for _, k := range w.popped {
			e.sched.set(k, w.loaded[k].NextAt())
		}
		for _, k := range w.dirty {
			e.sched.set(k, w.loaded[k].NextAt())
		}
	}
	if e.escal != nil {
		e.escal.add(w.escalations)
	}
	w.popped, w.escalations = nil, nil
	var err error
	switch {
	case w.batch.Len() == 0:
	default:
		b := w.batch
		if e.cache != nil {
			v := e.cacheVersion
			b.Unchanged = &v
		}
		if e.cache != nil && w.pipelined {
			for _, r := range b.Recipients {
				e.remember(r)
			}
			err = e.launch(w.ctx, &b)
			break
		}
		if err = e.land(); err != nil {
			break
		}
		if err = e.cfg.Store.Apply(w.ctx, &b); err == nil {
			for _, r := range b.Recipients {
				e.remember(r)
			}
		}
	}
	if err != nil {
		e.forget()
	}
	w.batch, w.dirty, w.isDirty, w.lastEv = store.Batch{}, nil, map[int64]bool{}, map[int64]int{}
	return err
}
