// Package plan estimates how long reaching everyone takes under the
// providers' rate limits: per channel, how many people it carries, at what
// rate, when its last message is handed over, and what would shorten it.
// It is pure arithmetic: the carriers, not the engine, bound time to reach
// (DESIGN.md §6), so the estimate is the rate limits' and nothing else's.
package plan

import (
	"fmt"
	"math"
	"time"
)

// Channel is one contact method's capacity, in the provider's own terms.
type Channel struct {
	Method    string
	Senders   int     // SMS numbers (1 for a messaging service, voice, email, webhook)
	PerSender float64 // sends a second per sender (SMS: segments a second); 0 means unlimited
	Segments  int     // SMS segments per message (default 1)
	// EngineRate is the engine's own limit for the method (0: none); the
	// slower of the two sets the pace.
	EngineRate float64
	// Wait is how long a person is given to ack before their next method.
	Wait time.Duration
}

// Rate is the channel's messages a second; +Inf when unlimited.
func (c Channel) Rate() float64 {
	r := math.Inf(1)
	if c.PerSender > 0 {
		r = float64(max(c.Senders, 1)) * c.PerSender / float64(max(c.Segments, 1))
	}
	if c.EngineRate > 0 && c.EngineRate < r {
		r = c.EngineRate
	}
	return r
}

// Estimate is one channel's share of a run.
type Estimate struct {
	Method string
	People int
	Rate   float64       // messages a second
	Start  time.Duration // when its first message goes (after earlier methods' waits)
	Done   time.Duration // when its last message is handed over, from the send
	// Alone is how long the channel takes by itself (People / Rate).
	Alone   time.Duration
	Shorter []string // what would shorten it
}

// Reach estimates a broadcast in which everyone is tried on the channels in
// order (the worst case: nobody acks, so each method's wave follows the
// one before it after its wait). people is how many have an address for
// each method.
func Reach(channels []Channel, people map[string]int) []Estimate {
	var out []Estimate
	var start, prevStart, prevDone time.Duration
	var prevWait time.Duration
	for i, c := range channels {
		n := people[c.Method]
		e := Estimate{Method: c.Method, People: n, Rate: c.Rate()}
		e.Alone = duration(n, e.Rate)
		if i > 0 {
			start = prevStart + prevWait
		}
		e.Start = start
		// the wave arrives as the previous one went, and leaves at this rate
		e.Done = max(start+e.Alone, prevDone+prevWait)
		if n == 0 {
			e.Done = start
		}
		e.Shorter = shorter(c, n)
		out = append(out, e)
		if n > 0 {
			prevStart, prevDone = start, e.Done
		}
		prevWait = c.Wait
	}
	return out
}

// duration is how long n sends take at rate a second, the first at once.
func duration(n int, rate float64) time.Duration {
	if n == 0 || math.IsInf(rate, 1) {
		return 0
	}
	return time.Duration(float64(n) / rate * float64(time.Second))
}

// shorter says what would cut the channel's time, with the new time.
func shorter(c Channel, n int) []string {
	if n == 0 || c.PerSender <= 0 {
		return nil
	}
	var out []string
	if c.EngineRate > 0 && c.EngineRate < float64(max(c.Senders, 1))*c.PerSender/float64(max(c.Segments, 1)) {
		out = append(out, fmt.Sprintf("the engine's limit (%.4g/s) is below the provider's; raise it to the provider's rate", c.EngineRate))
	}
	with := func(f func(*Channel)) time.Duration {
		d := c
		d.EngineRate = 0
		f(&d)
		return duration(n, d.Rate())
	}
	switch c.Method {
	case "sms":
		if c.Segments > 1 {
			out = append(out, fmt.Sprintf("a one-segment text (160 GSM-7 characters, or 70 with other characters) instead of %d segments: %s", c.Segments, Human(with(func(d *Channel) { d.Segments = 1 }))))
		}
		out = append(out, fmt.Sprintf("twice the sender numbers (%d): %s", 2*max(c.Senders, 1), Human(with(func(d *Channel) { d.Senders *= 2 }))))
		if c.PerSender*float64(max(c.Senders, 1)) < 100 {
			out = append(out, fmt.Sprintf("a short code (about 100 segments/s): %s", Human(with(func(d *Channel) { d.Senders, d.PerSender = 1, 100 }))))
		}
	case "voice":
		out = append(out, fmt.Sprintf("ask Twilio for %g calls a second instead of %g: %s", 5*c.PerSender, c.PerSender, Human(with(func(d *Channel) { d.PerSender *= 5 }))))
		out = append(out, "relay mode: managers call their own people, in parallel, as a tree")
	default:
		out = append(out, fmt.Sprintf("a provider rate of %g/s instead of %g/s: %s", 10*c.PerSender, c.PerSender, Human(with(func(d *Channel) { d.PerSender *= 10 }))))
	}
	return out
}

// Total is when the last message of the whole run is handed over.
func Total(es []Estimate) time.Duration {
	var t time.Duration
	for _, e := range es {
		t = max(t, e.Done)
	}
	return t
}

// Human prints a duration for people: "2h46m40s", "33m20s", "1.4s".
func Human(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
