package simrun

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"phonetree/internal/provider"
	"phonetree/internal/store"
)

// Faults says which failures a simulation injects.
type Faults struct {
	ProviderErrors bool // sends time out or fail (some after the provider got them)
	Duplicate      bool // callbacks delivered twice
	Delay          bool // callbacks held back for a while
	Reorder        bool // callbacks out of order
	UnknownAcks    bool // acks for attempts that do not exist
	Cancel         bool // the bulletin is cancelled mid-run; acks keep arriving after
	StoreErrors    bool // transactions fail
	Restarts       bool // the process dies and restarts at random steps
}

var faultNames = []string{"provider-errors", "duplicate", "delay", "reorder", "unknown-acks", "cancel", "store-errors", "restarts"}

func (f *Faults) flags() []*bool {
	return []*bool{&f.ProviderErrors, &f.Duplicate, &f.Delay, &f.Reorder, &f.UnknownAcks, &f.Cancel, &f.StoreErrors, &f.Restarts}
}

// ParseFaults reads "all", "none", or a comma-separated list of fault names.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		switch name {
		case "", "none":
			continue
		case "all":
			for _, p := range f.flags() {
				*p = true
			}
			continue
		}
		found := false
		for i, n := range faultNames {
			if n == name {
				*f.flags()[i], found = true, true
			}
		}
		if !found {
			return f, fmt.Errorf("unknown fault %q (want all, none or some of %s)", name, strings.Join(faultNames, ", "))
		}
	}
	return f, nil
}

// Random picks a fault mix from rng (for swarm testing: a different mix per seed).
func RandomFaults(rng *rand.Rand) Faults {
	var f Faults
	for _, p := range f.flags() {
		*p = rng.IntN(2) == 0
	}
	return f
}

func (f Faults) String() string {
	var on []string
	for i, p := range f.flags() {
		if *p {
			on = append(on, faultNames[i])
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ",")
}

// faultyProvider makes a provider fail some sends: before the hand-over, or
// after it (the worst case: the person got it, the engine thinks not).
type faultyProvider struct {
	provider.Provider
	mu  sync.Mutex
	rng *rand.Rand
}

func (p *faultyProvider) Send(ctx context.Context, m provider.Message) (string, error) {
	p.mu.Lock()
	roll := p.rng.Float64()
	p.mu.Unlock()
	switch {
	case roll < 0.04:
		return "", &provider.Error{Kind: provider.Retry, Err: errors.New("injected: timeout before hand-over")}
	case roll < 0.06:
		p.Provider.Send(ctx, m)
		return "", &provider.Error{Kind: provider.Retry, Err: errors.New("injected: timeout after hand-over")}
	case roll < 0.07:
		return "", &provider.Error{Kind: provider.RateLimited, RetryAfter: 2 * time.Second, Err: errors.New("injected: 429")}
	}
	return p.Provider.Send(ctx, m)
}

// faultySource duplicates, delays, reorders and invents callbacks.
type faultySource struct {
	Source
	f    Faults
	rng  *rand.Rand
	held []provider.Report
	last time.Time
}

func (s *faultySource) Due(t time.Time) []provider.Report {
	s.last = t
	out := s.Source.Due(t)
	var keep []provider.Report
	for _, r := range s.held { // held reports come back, late
		if s.rng.IntN(3) == 0 {
			out = append(out, r)
		} else {
			keep = append(keep, r)
		}
	}
	s.held = keep
	var next []provider.Report
	for _, r := range out {
		if s.f.Delay && s.rng.IntN(10) == 0 {
			s.held = append(s.held, r)
			continue
		}
		next = append(next, r)
		if s.f.Duplicate && s.rng.IntN(10) == 0 {
			next = append(next, r)
		}
	}
	if s.f.UnknownAcks && s.rng.IntN(4) == 0 {
		next = append(next, provider.Report{Kind: provider.Acked, AttemptID: store.AttemptID(999, s.rng.Int32N(1000), 0), Response: 1, At: t})
	}
	if s.f.Reorder {
		s.rng.Shuffle(len(next), func(i, j int) { next[i], next[j] = next[j], next[i] })
	}
	return next
}

func (s *faultySource) NextAt() (time.Time, bool) {
	t, ok := s.Source.NextAt()
	if len(s.held) > 0 && (!ok || t.After(s.last.Add(time.Second))) {
		return s.last.Add(time.Second), true // held reports are still to come
	}
	return t, ok
}

// faultyStore fails some transactions before they change anything, and
// holds some back a moment (so that, with commits in flight, the engine's
// next step runs while they are still in the air).
type faultyStore struct {
	store.Store
	mu   sync.Mutex
	rng  *rand.Rand
	fail bool // inject failures
	slow bool // inject delays
}

// ErrInjected is a store failure the simulator injected.
var ErrInjected = errors.New("injected store failure")

// ExternalChanges passes the real store's through, so the engine caches.
func (s *faultyStore) ExternalChanges(ctx context.Context) (uint64, error) {
	return s.Store.(store.ChangeWatcher).ExternalChanges(ctx)
}

func (s *faultyStore) Apply(ctx context.Context, b *store.Batch) error {
	s.mu.Lock()
	fail := s.fail && s.rng.IntN(25) == 0
	var delay time.Duration
	if s.slow && s.rng.IntN(2) == 0 {
		delay = time.Duration(s.rng.IntN(2000)) * time.Microsecond
	}
	s.mu.Unlock()
	if fail {
		return ErrInjected
	}
	time.Sleep(delay)
	return s.Store.Apply(ctx, b)
}
