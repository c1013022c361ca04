package engine_test

import (
	"context"
	"database/sql"
	"testing"

	"phonetree/internal/cascade"
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
