package simrun

import (
	"context"
	"fmt"

	"phonetree/internal/cascade"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// Violation is a broken invariant of DESIGN §5.
type Violation struct {
	Invariant int
	Recipient string
	Message   string
}

func (v *Violation) Error() string {
	return fmt.Sprintf("invariant %d broken for %s: %s", v.Invariant, v.Recipient, v.Message)
}

// Check verifies DESIGN §5's invariants for bulletin b, reading only the
// store and the carrier's own record of hand-overs (sends: per idempotency
// key, how many times the engine handed it over). A key handed over more
// than once is allowed only if dupOK (a crash was injected: the provider
// deduplicated it).
func Check(ctx context.Context, st store.Store, people *roster.Roster, b int64, sends map[string]int32, dupOK bool) error {
	rs, err := st.AllRecipients(ctx, b)
	if err != nil {
		return err
	}
	as, err := st.BulletinAttempts(ctx, b)
	if err != nil {
		return err
	}
	es, err := st.Events(ctx, b)
	if err != nil {
		return err
	}
	tasks, err := st.CallTasks(ctx, b)
	if err != nil {
		return err
	}
	byIdx := make(map[int32]*store.Recipient, len(rs))
	for i := range rs {
		byIdx[rs[i].Idx] = &rs[i]
	}
	tree := people.Tree()
	name := func(i int32) string { return people.People[i].ID }
	lastEvent := map[int32]string{}
	for _, e := range es {
		if isState(e.Kind) {
			lastEvent[e.Idx] = e.Kind
		}
	}
	taskCount := map[int32]int{}
	for _, t := range tasks {
		taskCount[t.Subject]++
	}
	for _, r := range rs {
		st := cascade.State(r.State)
		// 1: terminal, or inside a deadline, or waiting for its caller.
		if !st.Terminal() && r.NextAt() == 0 {
			p := tree.Parent[r.Idx]
			parent := byIdx[p]
			waiting := st == cascade.Pending && p >= 0 && parent != nil && parent.Flags&store.FlagCalleesReleased == 0
			if !waiting {
				return &Violation{1, name(r.Idx), fmt.Sprintf("%v with no timer and not waiting for a caller", st)}
			}
		}
		// 4: escalated iff the plan ran out with no ack.
		escalated := r.Flags&store.FlagEscalated != 0
		if st == cascade.Unreached && !escalated {
			return &Violation{4, name(r.Idx), "unreached but not escalated"}
		}
		// Its call tasks go up a chain, one person at a time: at most the
		// caller, the caller's caller, each backup and the operators.
		if n := taskCount[r.Idx]; escalated != (n > 0) || n > 3+len(people.People[r.Idx].Backups) {
			return &Violation{4, name(r.Idx), fmt.Sprintf("escalated=%v with %d call tasks", escalated, n)}
		}
		// 5: every state change has an event; the log ends at the current state.
		if st != cascade.Pending && lastEvent[r.Idx] != st.String() {
			return &Violation{5, name(r.Idx), fmt.Sprintf("state %v but the log's last state is %q", st, lastEvent[r.Idx])}
		}
	}
	for _, a := range as {
		r := byIdx[a.Idx]
		handed := a.Status == store.AttemptSent || a.Status == store.AttemptDelivered || a.Status == store.AttemptFailed
		// 3: nothing sent after the ack is recorded.
		if handed && a.Kind == store.AttemptContact && r != nil && r.AckedAt != 0 && a.CreatedAt > r.AckedAt {
			return &Violation{3, name(a.Idx), fmt.Sprintf("attempt %d sent at %d after the ack at %d", a.Seq, a.CreatedAt, r.AckedAt)}
		}
	}
	// 2: each attempt handed to the provider at most once.
	if !dupOK {
		for key, n := range sends {
			if n > 1 {
				return &Violation{2, key, fmt.Sprintf("handed to the provider %d times", n)}
			}
		}
	}
	return nil
}

// isState reports whether an event kind names a recipient state.
func isState(kind string) bool {
	for s := cascade.Pending; s <= cascade.Cancelled; s++ {
		if s.String() == kind {
			return true
		}
	}
	return false
}
