package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing: after Free failures for a key (a
// login name, a client address) within Window, each further try must wait,
// doubling from a second up to Window.
type Throttle struct {
	Free   int
	Window time.Duration

	mu   sync.Mutex
	keys map[string]*tries
}

type tries struct {
	failures int
	first    time.Time
	until    time.Time
}

// NewThrottle returns a throttle allowing free failures per window.
func NewThrottle(free int, window time.Duration) *Throttle {
	return &Throttle{Free: free, Window: window, keys: map[string]*tries{}}
}

// Wait returns how long key must wait before trying again (0: it may try now).
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	tr := t.keys[key]
	if tr == nil || !now.Before(tr.until) {
		return 0
	}
	return tr.until.Sub(now)
}

// Fail records a failed try.
func (t *Throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) > 100_000 {
		t.expire(now)
	}
	tr := t.keys[key]
	if tr == nil || now.Sub(tr.first) > t.Window {
		tr = &tries{first: now}
		t.keys[key] = tr
	}
	tr.failures++
	if over := tr.failures - t.Free; over > 0 {
		d := min(time.Second<<min(over-1, 20), t.Window)
		tr.until = now.Add(d)
	}
}

// Succeed forgets key's failures.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

func (t *Throttle) expire(now time.Time) {
	for k, tr := range t.keys {
		if now.Sub(tr.first) > t.Window && !now.Before(tr.until) {
			delete(t.keys, k)
		}
	}
}
