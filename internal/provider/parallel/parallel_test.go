package parallel

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"phonetree/internal/provider"
)

type counter struct{ n, inFlight, peak atomic.Int64 }

func (c *counter) Name() string     { return "counter" }
func (c *counter) Idempotent() bool { return false }
func (c *counter) Send(_ context.Context, m provider.Message) (string, error) {
	f := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for p := c.peak.Load(); f > p && !c.peak.CompareAndSwap(p, f); p = c.peak.Load() {
	}
	c.n.Add(1)
	return m.Key, nil
}

func TestSendKeepsOrderAndBound(t *testing.T) {
	c := &counter{}
	ms := make([]provider.Message, 500)
	for i := range ms {
		ms[i] = provider.Message{Key: strconv.Itoa(i), Method: "sms"}
	}
	ms[7].Method = "fax"
	res := Send(context.Background(), ms, func(m provider.Message) provider.Provider {
		if m.Method == "fax" {
			return nil
		}
		return c
	}, 8)
	for i, r := range res {
		if i == 7 {
			if provider.Classify(r.Err) != provider.Permanent {
				t.Errorf("no provider: %v, want permanent", r.Err)
			}
			continue
		}
		if r.Err != nil || r.ID != strconv.Itoa(i) {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if c.n.Load() != 499 || c.peak.Load() > 8 {
		t.Errorf("%d sends, %d at once (limit 8)", c.n.Load(), c.peak.Load())
	}
}
