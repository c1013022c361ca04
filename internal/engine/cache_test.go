package engine_test

import (
	"context"
	"database/sql"
	"testing"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

// TestCacheForgetsOutsideWrites: a recipient changed by another connection
// (another process) must not be overwritten from the engine's memory.
func TestCacheForgetsOutsideWrites(t *testing.T) {
	h := newHarness(t, org)
	h.carrier.people["E1"] = behaviour{ackOn: 0} // E1's ack arrives after the outside cancel
	b := h.send(cascade.Broadcast)
	ctx := context.Background()
	if _, err := h.eng.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// another process cancels E1 behind the engine's back
	if _, err := raw.Exec(`UPDATE recipients SET state = ?, method_at = 0, heal_at = 0 WHERE id = ?`, int(cascade.Cancelled), b<<32); err != nil {
		t.Fatal(err)
	}
	h.run()
	if st := h.states(b)["E1"]; st != "cancelled" {
		t.Fatalf("E1 is %s: the engine wrote over another writer's change from its cache", st)
	}
}

// interloper is a store that, once, lets another writer commit just before
// the engine's next transaction: what the engine worked out from its cache
// is then out of date when it commits.
type interloper struct {
	*sqlite.Store
	armed bool
	write func() error
}

func (s *interloper) Apply(ctx context.Context, b *store.Batch) error {
	if s.armed {
		s.armed = false
		if err := s.write(); err != nil {
			return err
		}
	}
	return s.Store.Apply(ctx, b)
}

// TestAckAfterOutsideWriteIsRetried: a batch made before another writer's
// commit is refused, and an ack is worked out again from what is stored
// now, not lost and not written over the other writer's change.
func TestAckAfterOutsideWriteIsRetried(t *testing.T) {
	h := newHarness(t, org)
	b := h.send(cascade.Broadcast)
	ctx := context.Background()
	if _, err := h.eng.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	other, err := sqlite.Open(ctx, h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	il := &interloper{Store: h.st.(*sqlite.Store), armed: true, write: func() error {
		// another process records E2's ack meanwhile
		return other.Apply(ctx, &store.Batch{Recipients: []store.Recipient{{Bulletin: b, Idx: 1, State: uint8(cascade.Acked), Method: 0, Attempts: 1, AckedAt: t0.UnixNano(), Response: 2}}})
	}}
	eng := engine.New(engine.Config{Store: il, Clock: h.clock, Key: h.key, Providers: map[string]provider.Provider{"sms": h.carrier, "voice": h.carrier, "email": h.carrier}, SendWorkers: 1})
	if _, err := eng.Tick(ctx); err != nil { // fills the engine's cache
		t.Fatal(err)
	}
	il.armed = true
	out, err := eng.DeliverAcks(ctx, []provider.Report{{Kind: provider.Acked, AttemptID: store.AttemptID(b, 0, 0), Response: 1, Source: "link"}})
	if err != nil {
		t.Fatalf("ack after an outside write: %v", err)
	}
	if out[0] != engine.AckRecorded {
		t.Fatalf("E1's ack: outcome %d, want recorded", out[0])
	}
	if il.armed {
		t.Fatal("the outside write never happened")
	}
	st := h.states(b)
	if st["E1"] != "acked" || st["E2"] != "acked" {
		t.Fatalf("E1 %s, E2 %s: want both acked (E1 by the retried batch, E2 by the other writer)", st["E1"], st["E2"])
	}
}
