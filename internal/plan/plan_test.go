package plan

import (
	"strings"
	"testing"
	"time"
)

func TestReach(t *testing.T) {
	chs := []Channel{
		{Method: "sms", Senders: 5, PerSender: 1, Wait: 5 * time.Minute},
		{Method: "voice", Senders: 1, PerSender: 1, Wait: 3 * time.Minute},
		{Method: "email", Senders: 1, PerSender: 50},
	}
	es := Reach(chs, map[string]int{"sms": 10000, "voice": 10000, "email": 2000})
	want := []struct {
		start, done time.Duration
	}{
		{0, 2000 * time.Second},
		{5 * time.Minute, 5*time.Minute + 10000*time.Second},
		{8 * time.Minute, 5*time.Minute + 10000*time.Second + 3*time.Minute},
	}
	for i, w := range want {
		if es[i].Start != w.start || es[i].Done != w.done {
			t.Errorf("%s: start %v done %v, want %v %v", es[i].Method, es[i].Start, es[i].Done, w.start, w.done)
		}
	}
	if Total(es) != es[2].Done {
		t.Errorf("total %v", Total(es))
	}
	if s := strings.Join(es[0].Shorter, "; "); !strings.Contains(s, "twice the sender numbers (10): 16m40s") || !strings.Contains(s, "short code (about 100 segments/s): 1m40s") {
		t.Errorf("sms suggestions: %s", s)
	}
	if s := strings.Join(es[1].Shorter, "; "); !strings.Contains(s, "5 calls a second instead of 1: 33m20s") {
		t.Errorf("voice suggestions: %s", s)
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		c    Channel
		want float64
	}{
		{Channel{Senders: 5, PerSender: 1}, 5},
		{Channel{Senders: 5, PerSender: 1, Segments: 2}, 2.5},
		{Channel{Senders: 5, PerSender: 1, EngineRate: 2}, 2},
		{Channel{Senders: 1, PerSender: 100, EngineRate: 200}, 100},
	}
	for _, tt := range tests {
		if got := tt.c.Rate(); got != tt.want {
			t.Errorf("%+v: rate %v, want %v", tt.c, got, tt.want)
		}
	}
	es := Reach([]Channel{{Method: "sms", Senders: 2, PerSender: 1, Segments: 2, EngineRate: 0.5}}, map[string]int{"sms": 10})
	s := strings.Join(es[0].Shorter, "; ")
	if !strings.Contains(s, "engine's limit") || !strings.Contains(s, "one-segment text") {
		t.Errorf("suggestions: %s", s)
	}
	if es := Reach([]Channel{{Method: "email"}}, map[string]int{"email": 10}); es[0].Done != 0 || es[0].Shorter != nil {
		t.Errorf("unlimited: %+v", es[0])
	}
}
