package storetest

import (
	"errors"
	"testing"

	"phonetree/internal/store"
)

// Watcher checks store.ChangeWatcher and store.Batch.Unchanged on two
// stores a and b open on one database: what a writes itself is not an
// outside change, what b writes is, and a batch conditional on a version
// that another writer has moved on from is refused whole.
func Watcher(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	w, ok := a.(store.ChangeWatcher)
	if !ok {
		t.Fatalf("%T is not a store.ChangeWatcher", a)
	}
	changes := func() uint64 {
		v, err := w.ExternalChanges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	event := func(n int32) *store.Batch {
		return &store.Batch{Events: []store.Event{{Bulletin: 1, Idx: n, At: t0, Kind: "test"}}}
	}
	v0 := changes()
	if err := a.Apply(t.Context(), event(0)); err != nil {
		t.Fatal(err)
	}
	if v := changes(); v != v0 {
		t.Fatalf("a's own write moved its outside changes from %d to %d", v0, v)
	}
	if err := b.Apply(ctx, event(1)); err != nil {
		t.Fatal(err)
	}
	v1 := changes()
	if v1 == v0 {
		t.Fatal("another store's write did not show as an outside change")
	}
	stale := event(2)
	stale.Unchanged = &v0
	if err := a.Apply(ctx, stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a batch made before another writer's change: %v, want store.ErrConflict", err)
	}
	fresh := event(3)
	fresh.Unchanged = &v1
	if err := a.Apply(ctx, fresh); err != nil {
		t.Fatalf("a batch made after the last outside change: %v", err)
	}
	es, err := a.Events(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var idxs []int32
	for _, e := range es {
		idxs = append(idxs, e.Idx)
	}
	if len(idxs) != 3 || idxs[0] != 0 || idxs[1] != 1 || idxs[2] != 3 {
		t.Fatalf("events %v, want 0, 1, 3 (the refused batch wrote nothing)", idxs)
	}
}
