package storetest

import (
	"fmt"
	"sync"
	"testing"

	"phonetree/internal/store"
)

func testEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2 := newBulletin(t, s, people(3)), newBulletin(t, s, people(3))
	a := store.AttemptID(b1.ID, 2, 0)
	// Written order, not time order: an ack may carry an earlier time.
	e1 := []store.Event{
		{Bulletin: b1.ID, Idx: 2, At: t0 + 5, Kind: "contacting", Detail: "release"},
		{Bulletin: b1.ID, Idx: 2, At: t0 + 9, Kind: "attempt failed", Attempt: a, Detail: "sms 21610 unsubscribed"},
	}
	e2 := []store.Event{{Bulletin: b2.ID, Idx: 0, At: t0, Kind: "acked", Detail: "web"}}
	e3 := []store.Event{{Bulletin: b1.ID, Idx: 0, At: t0 + 1, Kind: "acked", Detail: "reply \"1\" ✓"}}
	apply(t, s, store.Batch{Events: append(e1, e2...)})
	apply(t, s, store.Batch{Events: e3})
	equal(t, "bulletin 1 events", get[[]store.Event](t)(s.Events(ctx, b1.ID)), append(e1, e3...))
	equal(t, "bulletin 2 events", get[[]store.Event](t)(s.Events(ctx, b2.ID)), e2)
	equal(t, "no events", get[[]store.Event](t)(s.Events(ctx, b2.ID+1)), nil)
}

func testCallTasks(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2 := newBulletin(t, s, people(3)), newBulletin(t, s, people(3))
	equal(t, "no tasks", get[[]store.CallTask](t)(s.CallTasks(ctx, b1.ID)), nil)
	ts := []store.CallTask{
		{Bulletin: b1.ID, Assignee: 0, Subject: 2, CreatedAt: t0, State: "open"},
		{Bulletin: b2.ID, Assignee: -1, Subject: 0, CreatedAt: t0 + 1, State: "open"}, // for the operators
		{Bulletin: b1.ID, Assignee: 0, Subject: 1, CreatedAt: t0 + 2, State: "done"},
	}
	apply(t, s, store.Batch{CallTasks: ts})
	got1 := get[[]store.CallTask](t)(s.CallTasks(ctx, b1.ID))
	got2 := get[[]store.CallTask](t)(s.CallTasks(ctx, b2.ID))
	if len(got1) != 2 || len(got2) != 1 || got1[0].ID <= 0 || got1[1].ID <= got1[0].ID {
		t.Fatalf("tasks %+v and %+v: want 2 and 1 with increasing ids", got1, got2)
	}
	var noIDs []store.CallTask
	for _, g := range [][]store.CallTask{got1, got2} {
		for _, task := range g {
			task.ID = 0
			noIDs = append(noIDs, task)
		}
	}
	equal(t, "tasks without ids", noIDs, []store.CallTask{ts[0], ts[2], ts[1]})
}

// testAtomic applies a batch that fails on its last statement (a duplicate
// attempt id, as a crashed node's replay would be) and checks that none of
// it was written.
func testAtomic(t *testing.T, s store.Store) {
	ctx := t.Context()
	rs := people(2)
	rs[0].MethodAt = t0 + 1
	b := newBulletin(t, s, rs)
	a := attempt(b.ID, 1, 0, store.AttemptSending)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{a}})

	changed := rs[0]
	changed.State, changed.MethodAt = 2, 0
	bad := store.Batch{
		Recipients:  []store.Recipient{changed},
		NewAttempts: []store.Attempt{attempt(b.ID, 0, 0, store.AttemptSending), a},
		Attempts:    []store.AttemptUpdate{{ID: a.ID, Status: store.AttemptSent, ProviderID: "SM1", At: t0 + 2}},
		WithdrawFor: []store.Recipient{rs[1]},
		Events:      []store.Event{{Bulletin: b.ID, Idx: 0, At: t0, Kind: "contacting"}},
		CallTasks:   []store.CallTask{{Bulletin: b.ID, Subject: 1, CreatedAt: t0, State: "open"}},
		Bulletins:   []store.BulletinState{{ID: b.ID, State: "done"}},
	}
	if err := s.Apply(ctx, &bad); err == nil {
		t.Fatal("Apply with a duplicate attempt id succeeded")
	}
	equal(t, "recipients", get[[]store.Recipient](t)(s.AllRecipients(ctx, b.ID)), rs)
	equal(t, "attempts", get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b.ID)), []store.Attempt{a})
	equal(t, "events", get[[]store.Event](t)(s.Events(ctx, b.ID)), nil)
	equal(t, "call tasks", get[[]store.CallTask](t)(s.CallTasks(ctx, b.ID)), nil)
	equal(t, "bulletin state", get[*store.Bulletin](t)(s.Bulletin(ctx, b.ID)).State, "running")

	// The store still works.
	apply(t, s, store.Batch{Recipients: []store.Recipient{changed}})
	equal(t, "after a good batch", get[[]store.Recipient](t)(s.AllRecipients(ctx, b.ID)), []store.Recipient{changed, rs[1]})
	if err := s.Apply(ctx, &store.Batch{}); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// testConcurrent applies batches and reads from several goroutines.
func testConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	b := newBulletin(t, s, people(8))
	const writers, batches = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches*2)
	for w := range writers {
		wg.Go(func() {
			for i := range batches {
				r := store.Recipient{Bulletin: b.ID, Idx: int32(w), State: uint8(i), Method: -1}
				a := attempt(b.ID, int32(w), i, store.AttemptSent)
				ev := store.Event{Bulletin: b.ID, Idx: int32(w), At: t0, Kind: fmt.Sprint(i)}
				errs <- s.Apply(ctx, &store.Batch{Recipients: []store.Recipient{r}, NewAttempts: []store.Attempt{a}, Events: []store.Event{ev}})
				_, err := s.AllRecipients(ctx, b.ID)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	for _, r := range get[[]store.Recipient](t)(s.AllRecipients(ctx, b.ID)) {
		equal(t, fmt.Sprintf("recipient %d state", r.Idx), r.State, batches-1)
	}
	equal(t, "attempts", len(get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b.ID))), writers*batches)
	equal(t, "events", len(get[[]store.Event](t)(s.Events(ctx, b.ID))), writers*batches)
}
