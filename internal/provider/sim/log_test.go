package sim

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

func TestLogSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.log")
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0)
	p := New(1, DefaultModel(), c)
	epoch, err := p.OpenLog(path, t0)
	if err != nil || !epoch.Equal(t0) {
		t.Fatal(epoch, err)
	}
	m := provider.Message{AttemptID: 77, Key: "pt-77", Bulletin: 1, Recipient: 3, Method: "sms", To: "+13105550100"}
	if _, err := p.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	owed, _ := p.NextAt()
	p.CloseLog() // the process dies; a new one opens the same log later

	c.Advance(time.Hour)
	q := New(1, DefaultModel(), c)
	epoch, err = q.OpenLog(path, c.Now())
	if err != nil || !epoch.Equal(t0) {
		t.Fatalf("epoch %v (%v), want the first opening's", epoch, err)
	}
	if next, ok := q.NextAt(); !ok || !next.Equal(owed) {
		t.Fatalf("after restart the first reply is due %v, want %v", next, owed)
	}
	q.Send(context.Background(), m) // the engine re-sends after its crash
	if got := q.Sends()["pt-77"]; got != 2 {
		t.Fatalf("hand-overs of pt-77: %d, want 2 (one deduplicated)", got)
	}
	q.CloseLog()
	counts, err := ReadLog(path)
	if err != nil || counts["pt-77"] != 2 {
		t.Fatalf("log counts %v (%v)", counts, err)
	}
}
