package cascade

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestInvariantsRandomized drives recipients with random events in random
// order over many seeds and checks DESIGN §5's invariants after every step.
func TestInvariantsRandomized(t *testing.T) {
	for seed := range uint64(3000) {
		if err := randomRun(seed); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func randomRun(seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := DefaultPolicy(Mode(rng.IntN(3)))
	methods := []string{"sms", "voice", "email", "webhook"}
	r := Recipient{Method: -1, HasCallees: rng.IntN(2) == 0}
	for range rng.IntN(4) {
		r.Plan = append(r.Plan, methods[rng.IntN(len(methods))])
	}
	now := t0
	sent := map[int]bool{}
	var ackedAt time.Time
	released := false
	for step := range 40 {
		ev := randomEvent(rng, r)
		// time moves on, but never past a pending timer: the engine fires it when due
		now = now.Add(time.Duration(rng.IntN(600)) * time.Second)
		if next := r.NextAt(); !next.IsZero() && (now.After(next) || (ev.Kind == Timer && rng.IntN(2) == 0)) {
			now = next
		}
		before := r
		var effs []Effect
		r, effs = Step(&p, r, ev, now)
		trace := fmt.Sprintf("step %d: %v on %v (plan %v) -> %v %v", step, ev.Kind, before.State, r.Plan, r.State, effs)
		released = released || r.State != Pending || r.Relay
		if err := checkStep(before, r, effs, sent, &ackedAt, released, now); err != nil {
			return fmt.Errorf("%s: %w", trace, err)
		}
	}
	return nil
}

func randomEvent(rng *rand.Rand, r Recipient) Event {
	k := EventKind(rng.IntN(6))
	if rng.IntN(3) == 0 {
		k = Timer
	}
	return Event{Kind: k, Attempt: rng.IntN(max(r.Attempts, 1)), Outcome: Outcome(rng.IntN(3)), Response: 1 + rng.IntN(2)}
}

func checkStep(before, r Recipient, effs []Effect, sent map[int]bool, ackedAt *time.Time, released bool, now time.Time) error {
	// 5: every state change has an event, in order, chaining the states.
	st := before.State
	for _, e := range effs {
		if e.Kind == Record {
			if e.From != st {
				return fmt.Errorf("record from %v, but state was %v", e.From, st)
			}
			st = e.To
		}
	}
	if st != r.State {
		return fmt.Errorf("state changed to %v without a record (records end at %v)", r.State, st)
	}
	for _, e := range effs {
		if e.Kind == Send {
			// 2: each attempt created once.
			if sent[e.Attempt] {
				return fmt.Errorf("attempt %d sent twice", e.Attempt)
			}
			sent[e.Attempt] = true
			// 3: nothing sent after an ack.
			if before.State == Acked || r.State == Acked || before.State == Cancelled {
				return fmt.Errorf("send after ack or cancel")
			}
		}
	}
	// 3: the ack is recorded once.
	if r.State == Acked {
		if ackedAt.IsZero() {
			*ackedAt = r.AckedAt
		} else if !r.AckedAt.Equal(*ackedAt) {
			return fmt.Errorf("ack recorded twice")
		}
	}
	// 4: escalated iff the plan ran out with no ack.
	if r.State == Unreached && !r.Escalated {
		return fmt.Errorf("unreached but not escalated")
	}
	if r.Escalated && r.State != Unreached && r.State != Acked && r.State != Cancelled {
		return fmt.Errorf("escalated while %v", r.State)
	}
	if r.Escalated && !before.Escalated && r.Method+1 < len(r.Plan) {
		return fmt.Errorf("escalated with methods left")
	}
	// 1: terminal, or inside a deadline (a pending timer in the future).
	if released && !r.State.Terminal() && (r.NextAt().IsZero() || r.NextAt().Before(now)) {
		return fmt.Errorf("%v with no future timer (next %v, now %v)", r.State, r.NextAt(), now)
	}
	return nil
}
