package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
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

// TestIndexRostersBuildsMissingIndexes: a roster version imported before
// the blind index existed gets one, and its people are found by number.
func TestIndexRostersBuildsMissingIndexes(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	r, rep, err := roster.Parse(strings.NewReader("id,name,manager,mobile\nE1,Ana,,+13105550101\nE2,Bo,E1,+13105550102\n"), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Errors)
	}
	v := &store.RosterVersion{}
	if err := engine.SaveRoster(ctx, st, key, r, v); err != nil {
		t.Fatal(err)
	}
	saved, _ := st.RosterVersion(ctx, v.ID)
	if err := st.ResealRoster(ctx, v.ID, saved.Chunks, nil); err != nil { // as before the index
		t.Fatal(err)
	}
	if n, err := engine.IndexRosters(ctx, st, key); err != nil || n != 1 {
		t.Fatalf("indexed %d versions, %v; want 1", n, err)
	}
	cs, err := st.Contacts(ctx, key.Indexes("+13105550102"))
	if err != nil || len(cs) != 1 || cs[0] != (store.Contact{Version: v.ID, Idx: 1}) {
		t.Fatalf("E2 by number: %v %v", cs, err)
	}
	if n, _ := engine.IndexRosters(ctx, st, key); n != 0 {
		t.Fatalf("indexed %d versions again", n)
	}
}
