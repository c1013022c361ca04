package engine

import (
	"context"

	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/store"
)

// AckOutcome is what became of one ack given to DeliverAcks.
type AckOutcome uint8

// Ack outcomes.
const (
	AckRecorded  AckOutcome = iota
	AckAlready              // the recipient had acked already: nothing recorded
	AckCancelled            // the recipient's bulletin was cancelled
	AckUnknown              // no such attempt
)

// DeliverAcks records acks (Acked reports naming contact attempts) in one
// transaction, each only if its recipient has not acked yet, and says which
// were recorded: a signed link is single use, and a person who acked by SMS
// a moment before must not be told their link's answer counted. The check
// and the write happen under the engine's lock, so nothing slips between.
func (e *Engine) DeliverAcks(ctx context.Context, reports []provider.Report) ([]AckOutcome, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for try := 1; ; try++ {
		w, err := e.newWork(ctx)
		if err != nil {
			return nil, err
		}
		out, err := w.acks(reports)
		if err != nil {
			return nil, err
		}
		if err := w.commit(); retryable(err, try) {
			continue
		} else if err != nil {
			return nil, err
		}
		return out, w.handOver()
	}
}

// acks applies the acks that count and says what became of each.
func (w *work) acks(reports []provider.Report) ([]AckOutcome, error) {
	e := w.e
	if w.now.Before(e.horizon) {
		w.now = e.horizon
	}
	e.horizon = w.now
	keys := make([]int64, 0, len(reports))
	for _, r := range reports {
		b, idx, _ := store.SplitAttemptID(r.AttemptID)
		keys = append(keys, rkey(b, idx))
	}
	if err := w.loadKeys(keys); err != nil {
		return nil, err
	}
	out := make([]AckOutcome, len(reports))
	for i, r := range reports {
		b, idx, seq := store.SplitAttemptID(r.AttemptID)
		cur := w.loaded[rkey(b, idx)]
		switch {
		case r.Kind != provider.Acked || cur == nil || seq >= int(cur.Attempts) || seq >= store.CallListSeq:
			out[i] = AckUnknown
		case cascade.State(cur.State) == cascade.Acked:
			out[i] = AckAlready
		case cascade.State(cur.State) == cascade.Cancelled:
			out[i] = AckCancelled
		default:
			if err := w.ack(b, idx, r); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
