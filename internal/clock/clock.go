// Package clock is the one source of time for phonetree: a real clock for
// production and a fake one that tests and the simulator move by hand.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time. Nothing outside main reads the wall clock directly.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns the current wall time.
func (Real) Now() time.Time { return time.Now() }

// Fake is a clock that moves only when told to. It is safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the clock to t; it never moves backwards.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.now = t
	}
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Scaled runs faster than the wall clock by Factor from Start: a simulated
// cascade watched live (phonetree demo, serve --sim-speed).
type Scaled struct {
	Start  time.Time // wall time at which scaled time equals Start
	Factor float64
	Wall   Clock
}

// Now returns the scaled time.
func (s *Scaled) Now() time.Time {
	elapsed := s.Wall.Now().Sub(s.Start)
	return s.Start.Add(time.Duration(float64(elapsed) * s.Factor))
}
