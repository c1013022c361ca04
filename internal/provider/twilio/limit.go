package twilio

import (
	"sync"
	"time"
	"unicode/utf16"
)

// senders spreads sends over several senders, each with its own rate: a
// sender that sent cost units at t may send again at t + cost/rate. Sends
// are never early, so no sender exceeds its rate over any window.
type senders struct {
	mu       sync.Mutex
	interval time.Duration // per unit of cost
	next     []time.Time   // per sender: when it is free again
	rr       int           // where the search for a free sender starts
}

func newSenders(n int, perSecond float64) *senders {
	return &senders{interval: time.Duration(float64(time.Second) / perSecond), next: make([]time.Time, max(n, 1))}
}

// take picks a sender free at now and books it for cost units, or returns
// how long until the soonest one is free.
func (s *senders) take(now time.Time, cost int) (sender int, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := -1
	for k := range s.next {
		i := (s.rr + k) % len(s.next)
		if best < 0 || s.next[i].Before(s.next[best]) {
			best = i
		}
		if !s.next[i].After(now) {
			best = i
			break
		}
	}
	if s.next[best].After(now) {
		return -1, s.next[best].Sub(now)
	}
	s.next[best] = now.Add(time.Duration(cost) * s.interval)
	s.rr = (best + 1) % len(s.next)
	return best, 0
}

// book charges sender i for cost units sent at now outside take (a TwiML
// reply to an inbound message leaves through the same number).
func (s *senders) book(i int, now time.Time, cost int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next[i].Before(now) {
		s.next[i] = now
	}
	s.next[i] = s.next[i].Add(time.Duration(cost) * s.interval)
}

// Segments is how many SMS segments text takes: 160 GSM-7 characters in one
// (153 each when split), or 70 UCS-2 units (67 each when split).
func Segments(text string) int {
	units, gsm := 0, true
	for _, r := range text {
		switch {
		case gsmBasic(r):
			units++
		case gsmExtended(r):
			units += 2
		default:
			gsm = false
		}
	}
	single, multi := 160, 153
	if !gsm {
		units = len(utf16.Encode([]rune(text)))
		single, multi = 70, 67
	}
	if units <= single {
		return 1
	}
	return (units + multi - 1) / multi
}

const gsmBasicChars = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

var gsmSet = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range gsmBasicChars {
		m[r] = true
	}
	return m
}()

func gsmBasic(r rune) bool {
	return gsmSet[r] || (r >= ' ' && r < 0x7f && r != '`' && !gsmExtended(r))
}

func gsmExtended(r rune) bool {
	switch r {
	case '^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f':
		return true
	}
	return false
}
