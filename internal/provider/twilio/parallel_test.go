package twilio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"phonetree/internal/provider"
	"phonetree/internal/provider/parallel"
)

func texts(n int) []provider.Message {
	ms := make([]provider.Message, n)
	for i := range ms {
		ms[i] = provider.Message{AttemptID: int64(i + 1), Key: fmt.Sprintf("pt-%d", i+1), Method: "sms",
			To: fmt.Sprintf("+1415%03d%04d", 200+i/10000, i%10000), Text: "Network compromise: use only this channel. Reply 1 Safe, 2 Need help."}
	}
	return ms
}

// Many texts handed over at once: each exactly once, results in order, and
// spread over the senders.
func TestParallelHandOver(t *testing.T) {
	const n = 7000
	rg := newRig(t, "", rigOptions{senders: 10, config: unlimited})
	start := time.Now()
	res := parallel.Send(context.Background(), texts(n), func(provider.Message) provider.Provider { return rg.prov }, 64)
	took := time.Since(start)
	for i, r := range res {
		if r.Err != nil || !strings.HasPrefix(r.ID, "SM") {
			t.Fatalf("message %d: %q %v", i, r.ID, r.Err)
		}
	}
	msgs := rg.standin.Messages()
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	assertOncePerAttempt(t, msgs, nil)
	t.Logf("%d texts through the SDK over loopback, 64 in flight: %v (%.0f/s)", n, took, n/took.Seconds())
}

// BenchmarkHandOver compares one send at a time (the engine today) with 64
// in flight, over loopback and with 20 ms of network latency per request.
func BenchmarkHandOver(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		for _, workers := range []int{1, 64} {
			b.Run(fmt.Sprintf("latency=%v/workers=%d", latency, workers), func(b *testing.B) {
				rg := newRig(b, "", rigOptions{senders: 10, config: unlimited})
				rg.standin.Latency = latency
				ms := texts(b.N)
				b.ResetTimer()
				parallel.Send(context.Background(), ms, func(provider.Message) provider.Provider { return rg.prov }, workers)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
			})
		}
	}
}
