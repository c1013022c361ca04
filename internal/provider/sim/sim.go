// Package sim is the simulated carrier and the simulated people behind it:
// seeded latency, failures, answers and human delays per method, and human
// relay callers working their call lists. It runs on the injected clock, so a
// 40-minute cascade of 10,000 people runs in seconds of virtual time; the
// same seed gives the same reports.
package sim

import (
	"container/heap"
	"context"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

// Provider is the sim carrier. It is safe for concurrent use.
type Provider struct {
	seed  uint64
	model Model
	clock clock.Clock

	mu      sync.Mutex
	pending reports
	seq     uint64
	sends   map[string]int32 // hand-overs per idempotency key, duplicates included
	log     *os.File         // the carrier's own record of sends, if kept (see OpenLog)
}

// New returns a sim provider with the given seed and model.
func New(seed uint64, m Model, c clock.Clock) *Provider {
	return &Provider{seed: seed, model: m, clock: c, sends: map[string]int32{}}
}

// Name is "sim".
func (p *Provider) Name() string { return "sim" }

// Idempotent: the sim deduplicates by key, as a carrier with idempotency keys does.
func (p *Provider) Idempotent() bool { return true }

// Send accepts a message and schedules what its recipient will do.
func (p *Provider) Send(_ context.Context, m provider.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := "SIM" + m.Key
	p.sends[m.Key]++
	if p.sends[m.Key] > 1 {
		p.logDuplicate(m.Key)
		return id, nil // deduplicated: the person already has this message
	}
	now := p.clock.Now()
	if err := p.logSend(m, now); err != nil {
		p.sends[m.Key]--
		return "", &provider.Error{Kind: provider.Retry, Err: err}
	}
	p.schedule(m, now)
	return id, nil
}

// schedule works out, from the seed, what the person will do with m sent at
// now, and queues the reports.
func (p *Provider) schedule(m provider.Message, now time.Time) {
	r := p.rand(m.Bulletin, m.Recipient, m.Seq)
	f := p.model.fate(m.Method, r)
	kind := provider.Delivered
	if f.failed {
		kind = provider.Undeliverable
	}
	p.push(provider.Report{Kind: kind, AttemptID: m.AttemptID, Source: m.Method, At: now.Add(secs(f.deliverAfter))})
	if len(m.CallList) > 0 {
		p.workCallList(m, r, now.Add(secs(f.deliverAfter)))
	} else if f.ack {
		p.push(provider.Report{Kind: provider.Acked, AttemptID: m.AttemptID, Response: 1, Source: m.Method, At: now.Add(secs(f.ackAfter))})
	}
}

// workCallList simulates a human caller: about 2.5 minutes a call, a retry
// after 5 minutes for who did not answer, giving up after 20; some forget.
func (p *Provider) workCallList(m provider.Message, r *rand.Rand, start time.Time) {
	mo := &p.model
	if r.Float64() < mo.CallerForget {
		return
	}
	t := start.Add(secs(mo.SMSRead.draw(r)))
	end := t.Add(secs(mo.CallerGiveUp))
	todo := append([]provider.Callee(nil), m.CallList...)
	for round := 0; len(todo) > 0 && t.Before(end); round++ {
		var again []provider.Callee
		for _, c := range todo {
			if c.Number == "" {
				continue // no number to call
			}
			t = t.Add(secs(mo.CallerPerCall * (0.5 + r.Float64())))
			if !t.Before(end) {
				return
			}
			if r.Float64() >= mo.CallerAnswer {
				again = append(again, c)
				continue
			}
			if r.Float64() < mo.CallerMarks {
				p.push(provider.Report{Kind: provider.Reached, Bulletin: m.Bulletin, Recipient: c.Recipient, Response: 1, Source: "caller", At: t})
			}
		}
		todo = again
		t = t.Add(secs(mo.CallerRetry))
	}
}

func (p *Provider) rand(b int64, r int32, seq int) *rand.Rand {
	// the FNV-1a hash of "seed/bulletin/recipient/seq", written without fmt
	buf := make([]byte, 0, 64)
	buf = strconv.AppendUint(buf, p.seed, 10)
	for _, n := range []int64{b, int64(r), int64(seq)} {
		buf = strconv.AppendInt(append(buf, '/'), n, 10)
	}
	h := fnv.New64a()
	h.Write(buf)
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

func (p *Provider) push(r provider.Report) {
	p.seq++
	heap.Push(&p.pending, queued{r, r.At.UnixNano(), p.seq})
}

// NextAt is when the next report is due; ok is false when none is pending.
func (p *Provider) NextAt() (t time.Time, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return time.Time{}, false
	}
	return p.pending[0].At, true
}

// Due removes and returns the reports due at or before t, in time order.
func (p *Provider) Due(t time.Time) []provider.Report {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []provider.Report
	for len(p.pending) > 0 && !p.pending[0].At.After(t) {
		out = append(out, heap.Pop(&p.pending).(queued).Report)
	}
	return out
}

// Sends returns how many times each idempotency key was handed over.
func (p *Provider) Sends() map[string]int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int32, len(p.sends))
	for k, v := range p.sends {
		out[k] = v
	}
	return out
}

type queued struct {
	provider.Report
	at  int64 // Report.At in unix nanoseconds, to compare cheaply
	seq uint64
}

type reports []queued

func (q reports) Len() int { return len(q) }
func (q reports) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q reports) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *reports) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *reports) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
