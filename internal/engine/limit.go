package engine

import "time"

// Limit is a provider's rate in its own terms: Rate sends per second, with
// Burst sends allowed at once. A zero Rate means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// bucket is a token bucket that hands out send slots; it never allows more
// than Burst sends at once nor more than Rate a second on average.
type bucket struct {
	limit Limit
	next  time.Time // when the next slot opens
}

// reserve returns when a send may go and takes that slot.
func (b *bucket) reserve(now time.Time) time.Time {
	if b.limit.Rate <= 0 {
		return now
	}
	interval := time.Duration(float64(time.Second) / b.limit.Rate)
	burst := max(b.limit.Burst, 1)
	earliest := now.Add(-time.Duration(burst-1) * interval)
	if b.next.Before(earliest) {
		b.next = earliest
	}
	at := b.next
	if at.Before(now) {
		at = now
	}
	b.next = b.next.Add(interval)
	return at
}
