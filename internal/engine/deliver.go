package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"phonetree/internal/audit"
	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/store"
)

func asProviderError(err error, pe **provider.Error) bool { return errors.As(err, pe) }

// Deliver applies inbound reports (delivery statuses, acks, relay marks) in
// order, each at its own time, in one transaction.
func (e *Engine) Deliver(ctx context.Context, reports []provider.Report) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for try := 1; ; try++ {
		w, err := e.newWork(ctx)
		if err != nil {
			return err
		}
		if err := w.reports(reports); err != nil {
			return err
		}
		if err := w.commit(); retryable(err, try) {
			continue
		} else if err != nil {
			return err
		}
		return w.handOver()
	}
}

// retryable reports whether work whose commit failed with err should be
// done again: another writer changed the store while it was worked out (the
// next try starts from what they wrote), a few times at most.
func retryable(err error, try int) bool {
	return errors.Is(err, store.ErrConflict) && try < 3
}

// reports applies reports in order, each at its own time.
func (w *work) reports(reports []provider.Report) error {
	if len(reports) == 0 {
		return nil
	}
	e := w.e
	clockNow := w.now
	keys := make([]int64, 0, len(reports))
	for _, r := range reports {
		b, idx := r.Bulletin, r.Recipient
		if r.Kind != provider.Reached {
			b, idx, _ = store.SplitAttemptID(r.AttemptID)
		}
		keys = append(keys, rkey(b, idx))
	}
	if err := w.loadKeys(keys); err != nil {
		return err
	}
	for _, r := range reports {
		// A report counts at its own time, but never before work this engine
		// already did: a callback that arrives late is recorded late.
		w.now = clockNow
		if !r.At.IsZero() && r.At.Before(clockNow) {
			w.now = r.At
		}
		if w.now.Before(e.horizon) {
			w.now = e.horizon
		}
		e.horizon = w.now
		if err := w.report(r); err != nil {
			return err
		}
	}
	w.now = clockNow
	return nil
}

// report applies one report. The attempt is named by its packed id, so no
// read is needed: it exists if its recipient had made that many attempts.
func (w *work) report(r provider.Report) error {
	if r.Kind == provider.Reached {
		return w.ack(r.Bulletin, r.Recipient, r)
	}
	b, idx, seq := store.SplitAttemptID(r.AttemptID)
	cur := w.loaded[rkey(b, idx)]
	if cur == nil || (seq >= int(cur.Attempts) && seq < store.CallListSeq) {
		w.e.cfg.Log.Warn("report for unknown attempt ignored", "attempt", r.AttemptID, "kind", r.Kind)
		return nil
	}
	if seq >= store.CallListSeq {
		return nil // a call list's or call task's own delivery and replies change no one's state
	}
	if r.Kind == provider.Acked {
		return w.ack(b, idx, r)
	}
	rn, err := w.e.loadRun(w.ctx, b)
	if err != nil {
		return err
	}
	a := store.Attempt{ID: r.AttemptID, Bulletin: b, Idx: idx, Seq: int16(seq), Method: rn.plan(idx)[seq]}
	status, outcome := uint8(store.AttemptDelivered), cascade.Delivered
	if r.Kind == provider.Undeliverable {
		status, outcome = store.AttemptFailed, cascade.Failed
		w.attemptEvent(a, status, "undeliverable")
	}
	w.batch.Attempts = append(w.batch.Attempts, store.AttemptUpdate{ID: a.ID, Status: status, At: w.now.UnixNano()})
	w.apply(rn, *cur, cascade.Event{Kind: cascade.AttemptResult, Attempt: seq, Outcome: outcome})
	return nil
}

func (w *work) ack(bulletin int64, idx int32, r provider.Report) error {
	rn, err := w.e.loadRun(w.ctx, bulletin)
	if err != nil {
		return err
	}
	cur := w.loaded[rkey(bulletin, idx)]
	if cur == nil {
		w.e.cfg.Log.Warn("ack for unknown recipient ignored", "bulletin", bulletin, "recipient", idx)
		return nil
	}
	if r.Response < 0 || r.Response > len(rn.spec.Responses) {
		return fmt.Errorf("response %d: bulletin %d has %d options", r.Response, bulletin, len(rn.spec.Responses))
	}
	w.detail = strings.TrimSpace(fmt.Sprintf("ack %d %s", r.Response, r.Source))
	before := cur.State
	w.apply(rn, *cur, cascade.Event{Kind: cascade.Ack, Response: r.Response})
	w.detail = ""
	if before != cur.State && cascade.State(cur.State) == cascade.Acked {
		w.batch.Audit = append(w.batch.Audit, audit.Entry{At: w.now.UnixNano(), Actor: "recipient:" + rn.roster.People[idx].ID,
			Action: "ack", Subject: fmt.Sprintf("bulletin %d", bulletin), Detail: strings.TrimSpace(fmt.Sprintf("response %d via %s", r.Response, r.Source))})
	}
	return nil
}

// Recover settles attempts whose sending lease expired (their process died
// between claiming and recording): re-sent under the same idempotency key to
// a provider that deduplicates, else marked unknown, never sent twice.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.newWork(ctx)
	if err != nil {
		return 0, err
	}
	leased, err := e.cfg.Store.Leased(ctx, w.now.UnixNano())
	if err != nil {
		return 0, err
	}
	var keys []int64
	for _, a := range leased {
		keys = append(keys, rkey(a.Bulletin, a.Idx))
	}
	if err := w.loadKeys(keys); err != nil {
		return 0, err
	}
	for _, a := range leased {
		if p := e.cfg.Providers[a.Method]; p != nil && p.Idempotent() {
			a.LeaseUntil = w.now.Add(e.cfg.Lease).UnixNano()
			w.batch.Attempts = append(w.batch.Attempts, store.AttemptUpdate{ID: a.ID, Status: store.AttemptSending, LeaseUntil: a.LeaseUntil, At: w.now.UnixNano()})
			w.toSend = append(w.toSend, a)
			continue
		}
		w.batch.Attempts = append(w.batch.Attempts, store.AttemptUpdate{ID: a.ID, Status: store.AttemptUnknown, At: w.now.UnixNano(), Error: "hand-over lost in a crash"})
		w.attemptEvent(a, store.AttemptUnknown, "hand-over lost in a crash")
	}
	if err := w.commit(); err != nil {
		return 0, err
	}
	return len(leased), w.handOver()
}
