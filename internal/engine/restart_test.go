package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
)

// bigOrg is a tree of n people, each with a mobile, four callees a caller.
func bigOrg(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 1; i <= n; i++ {
		mgr := ""
		if i > 1 {
			mgr = fmt.Sprintf("E%d", (i-2)/4+1)
		}
		fmt.Fprintf(&b, "E%d,Person %d,%s,,,+1310555%04d,,p%d@example.org,,,\n", i, i, mgr, i, i)
	}
	return b.String()
}

// TestRestartMidRun stops the engine mid-run by closing the store, opens a
// new engine on the same file, and checks the run completes with no attempt
// sent twice and no one lost.
func TestRestartMidRun(t *testing.T) {
	for _, m := range []cascade.Mode{cascade.Broadcast, cascade.Cascade, cascade.Relay} {
		t.Run(m.String(), func(t *testing.T) {
			h := newHarness(t, bigOrg(300))
			for i := 1; i <= 300; i += 3 { // a third never answer sms: voice and email follow
				h.carrier.people[fmt.Sprintf("E%d", i)] = behaviour{ackOn: 1 + i%2}
			}
			b := h.send(m)
			stops := 0
			h.driver.Until = func(now time.Time) bool { return now.Sub(t0) > time.Duration(stops+1)*90*time.Second && stops < 5 }
			for {
				h.run()
				if stops == 5 {
					break
				}
				stops++
				h.st.Close()
				h.clock.Advance(2 * time.Minute) // past every lease
				h.open()
				if _, err := h.eng.Recover(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			h.driver.Until = nil
			h.run()
			for id, st := range h.states(b) {
				if st != "acked" {
					t.Errorf("%s is %s after restarts", id, st)
				}
			}
			for key, n := range h.carrier.sent {
				if n > 1 {
					t.Errorf("attempt %s handed over %d times", key, n)
				}
			}
		})
	}
}
