package twilio_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/plan"
	"phonetree/internal/provider/twilio"
)

// step drives engine and stand-in on virtual time, moving the clock exactly
// to the next due thing (simrun.Driver rounds up to a quantum, which would
// bunch rate-limited sends together).
func (rg *rig) step(ctx context.Context) bool {
	for {
		n, err := rg.eng.Tick(ctx)
		if err != nil {
			rg.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	e, eok, err := rg.eng.NextDue(ctx)
	if err != nil {
		rg.t.Fatal(err)
	}
	s, sok := rg.standin.NextAt()
	switch {
	case !eok && !sok:
		return false
	case !eok || (sok && s.Before(e)):
		e = s
	}
	rg.clock.Set(e)
	rg.standin.Due(rg.clock.Now())
	return true
}

// 10,000 people, 5 numbers at 1 SMS/s each: no second carries more than 5
// sends, no number sends twice within a second, and the last text goes
// when the planner said it would.
func TestRateLimitTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 sends over loopback")
	}
	const n, senders = 10000, 5
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(header, "\n") + ",order\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "P%d,Person %d,,,,+1415%03d%04d,,,,,,sms\n", i, i, 200+i/10000, i%10000)
	}
	limits := map[string]engine.Limit{"sms": {Rate: senders * 1, Burst: 1}}
	rg := newRig(t, b.String(), rigOptions{senders: senders, limits: limits, config: func(c *twilio.Config) { c.SMSPerSecond = 1 }})
	ctx := context.Background()
	bulletin := rg.send(cascade.Broadcast)
	for rg.step(ctx) {
	}

	msgs := rg.standin.Messages()
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	perSecond := map[int64]int{}
	lastBy := map[string]time.Time{}
	var last time.Time
	for _, m := range msgs {
		perSecond[int64(m.At.Sub(t0)/time.Second)]++
		if prev, ok := lastBy[m.From]; ok && m.At.Sub(prev) < time.Second {
			t.Fatalf("%s sent at %v and %v", m.From, prev.Sub(t0), m.At.Sub(t0))
		}
		lastBy[m.From] = m.At
		if m.At.After(last) {
			last = m.At
		}
	}
	busiest := 0
	for _, k := range perSecond {
		busiest = max(busiest, k)
	}
	if busiest > senders {
		t.Errorf("a second carried %d sends, limit %d", busiest, senders)
	}
	cfg := rg.prov.Config()
	est := plan.Reach([]plan.Channel{{Method: "sms", Senders: cfg.Senders(), PerSender: cfg.SMSPerSecond, EngineRate: limits["sms"].Rate}},
		map[string]int{"sms": n})
	took, predicted := last.Sub(t0), est[0].Done
	if math.Abs(float64(took-predicted)) > 0.05*float64(predicted) {
		t.Errorf("last send after %v, planner predicted %v", took, predicted)
	}
	acked := 0
	for _, st := range rg.states(bulletin) {
		if st == "acked" {
			acked++
		}
	}
	if acked != n {
		t.Errorf("%d acked, want %d", acked, n)
	}
	t.Logf("%d texts over %d numbers: last handed over at %v (planner: %v), busiest second %d sends, everyone acked by %v",
		n, senders, took, predicted, busiest, rg.clock.Now().Sub(t0))
}
