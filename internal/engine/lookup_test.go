package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

func TestInboundLookupsByNumber(t *testing.T) {
	h := newHarness(t, org)
	for _, id := range []string{"E1", "E2", "E3", "E4", "E5", "E6"} {
		h.carrier.people[id] = behaviour{ackOn: -1}
	}
	b := h.send(cascade.Broadcast)
	h.clock.Advance(time.Second) // past the leaders-first release order
	if _, err := h.eng.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rep, ok, err := h.eng.LatestReplyTarget(ctx, "+13105550104")
	if err != nil || !ok {
		t.Fatalf("no reply target for E4's number: %v", err)
	}
	if want := store.AttemptID(b, 3, 0); rep.AttemptID != want || rep.Responses != 2 {
		t.Fatalf("reply target %+v, want attempt %d with 2 options", rep, want)
	}
	if _, ok, _ := h.eng.LatestReplyTarget(ctx, "+13105559999"); ok {
		t.Fatal("an unknown number matched")
	}
	en, ok, err := h.eng.LatestFor(ctx, "+13105550104")
	word := h.people.People[3].Word
	if err != nil || !ok || !strings.Contains(en.Text, "Test") || !strings.Contains(en.Text, word) {
		t.Fatalf("hotline for E4: %+v %v, want the bulletin with their word %q", en, err, word)
	}
}
