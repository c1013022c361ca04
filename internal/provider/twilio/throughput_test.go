package twilio_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/provider/twilio"
)

// smsRoster is n people reached by SMS only.
func smsRoster(n int) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(header, "\n") + ",order\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "P%d,Person %d,,,,+1415%03d%04d,,,,,,sms\n", i, i, 200+i/10000, i%10000)
	}
	return b.String()
}

// broadcast sends an SMS bulletin to everyone in rg and ticks the engine
// until every text is handed over; it returns the wall time that took.
func broadcast(tb testing.TB, rg *rig, n int) time.Duration {
	ctx := context.Background()
	start := time.Now()
	rg.send(cascade.Broadcast)
	for len(rg.standin.Messages()) < n {
		k, err := rg.eng.Tick(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if k == 0 && len(rg.standin.Messages()) < n {
			tb.Fatalf("engine idle with %d of %d handed over", len(rg.standin.Messages()), n)
		}
	}
	return time.Since(start)
}

func unlimited(c *twilio.Config) { c.SMSPerSecond = math.Inf(1) }

// Throughput with rate limits out of the way: a 7,000-person SMS broadcast
// through the real SDK to the stand-in over loopback HTTP. The engine hands
// attempts over one at a time today; the number is logged, not asserted
// (see BenchmarkBroadcast for the measurement).
func TestBroadcastThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("7,000 sends over loopback")
	}
	const n = 7000
	rg := newRig(t, smsRoster(n), rigOptions{senders: 10, config: unlimited})
	took := broadcast(t, rg, n)
	assertOncePerAttempt(t, rg.standin.Messages(), nil)
	t.Logf("%d texts handed over in %v: %.0f/s (engine calling Send sequentially)", n, took, n/took.Seconds())
}

func BenchmarkBroadcast(b *testing.B) {
	const n = 7000
	for b.Loop() {
		b.StopTimer()
		rg := newRig(b, smsRoster(n), rigOptions{senders: 10, config: unlimited})
		b.StartTimer()
		broadcast(b, rg, n)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "texts/s")
}
