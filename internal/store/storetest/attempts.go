package storetest

import (
	"testing"

	"phonetree/internal/store"
)

func testAttempts(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2 := newBulletin(t, s, people(3)), newBulletin(t, s, people(3))
	sending := attempt(b1.ID, 2, 0, store.AttemptSending)
	sending.LeaseUntil, sending.ProviderID, sending.Error = t0+60, "SM1", "earlier error"
	queued := attempt(b1.ID, 0, 1, store.AttemptQueued)
	queued.Method, queued.DueAt = "voice", t0+5
	list := attempt(b1.ID, 1, store.CallListSeq, store.AttemptSending)
	other := attempt(b2.ID, 0, 0, store.AttemptSent)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{sending, queued, list, other}})

	got := byID(get[[]store.Attempt](t)(s.Attempts(ctx, []int64{list.ID, sending.ID, queued.ID, store.AttemptID(b1.ID, 9, 0)})))
	equal(t, "attempts by id", got, []store.Attempt{queued, list, sending})
	equal(t, "no ids", get[[]store.Attempt](t)(s.Attempts(ctx, nil)), nil)
	equal(t, "bulletin 1 attempts in id order", get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b1.ID)), []store.Attempt{queued, list, sending})
	equal(t, "bulletin 2 attempts", get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b2.ID)), []store.Attempt{other})
	equal(t, "attempts of no bulletin", get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b2.ID+1)), nil)
	if id := store.AttemptID(b1.ID, 1, store.CallListSeq); list.ID != id {
		t.Fatalf("call list id %d, want %d", list.ID, id)
	}
}

func testAttemptUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	b := newBulletin(t, s, people(2))
	a := attempt(b.ID, 0, 0, store.AttemptSending)
	a.LeaseUntil = t0 + 60
	c := attempt(b.ID, 1, 0, store.AttemptSending)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{a, c}})
	one := func(id int64) store.Attempt {
		t.Helper()
		as := get[[]store.Attempt](t)(s.Attempts(ctx, []int64{id}))
		if len(as) != 1 {
			t.Fatalf("attempt %d: %d rows", id, len(as))
		}
		return as[0]
	}

	// The provider's id and the time are recorded; the lease is cleared.
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: a.ID, Status: store.AttemptSent, ProviderID: "SM1", At: t0 + 1}}})
	a.Status, a.ProviderID, a.LeaseUntil, a.UpdatedAt = store.AttemptSent, "SM1", 0, t0+1
	equal(t, "sent", one(a.ID), a)
	equal(t, "other attempt untouched", one(c.ID), c)

	// A delivery report carries no provider id: the recorded one stays.
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: a.ID, Status: store.AttemptDelivered, At: t0 + 2}}})
	a.Status, a.UpdatedAt = store.AttemptDelivered, t0+2
	equal(t, "delivered", one(a.ID), a)

	// A transient failure requeues with an error and a due time; a later
	// update without an error keeps it, one with an error replaces it.
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: c.ID, Status: store.AttemptQueued, DueAt: t0 + 30, At: t0 + 3, Error: "429 too many"}}})
	c.Status, c.DueAt, c.UpdatedAt, c.Error = store.AttemptQueued, t0+30, t0+3, "429 too many"
	equal(t, "requeued", one(c.ID), c)
	equal(t, "queued", attemptIDs(get[[]store.Attempt](t)(s.Queued(ctx, t0+30, 10))), []int64{c.ID})
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: c.ID, Status: store.AttemptSending, LeaseUntil: t0 + 90, At: t0 + 30}}})
	c.Status, c.DueAt, c.LeaseUntil, c.UpdatedAt = store.AttemptSending, 0, t0+90, t0+30
	equal(t, "claimed again", one(c.ID), c)
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: c.ID, Status: store.AttemptFailed, At: t0 + 31, Error: "invalid number"}}})
	c.Status, c.LeaseUntil, c.UpdatedAt, c.Error = store.AttemptFailed, 0, t0+31, "invalid number"
	equal(t, "failed", one(c.ID), c)

	// Several updates of one attempt in one batch apply in turn.
	d := attempt(b.ID, 1, 1, store.AttemptSending)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{d}, Attempts: []store.AttemptUpdate{
		{ID: d.ID, Status: store.AttemptSent, ProviderID: "SM2", At: t0 + 4},
		{ID: d.ID, Status: store.AttemptFailed, Error: "undeliverable", At: t0 + 5},
		{ID: d.ID, Status: store.AttemptUnknown, At: t0 + 6},
	}})
	d.Status, d.ProviderID, d.Error, d.UpdatedAt = store.AttemptUnknown, "SM2", "undeliverable", t0+6
	equal(t, "updated thrice in one batch", one(d.ID), d)
}

func testWithdrawFor(t *testing.T, s store.Store) {
	b := newBulletin(t, s, people(3))
	r1 := store.Recipient{Bulletin: b.ID, Idx: 1, Method: -1}
	sent := attempt(b.ID, 1, 0, store.AttemptSent)
	sending := attempt(b.ID, 1, 1, store.AttemptSending)
	queued := attempt(b.ID, 1, 2, store.AttemptQueued)
	list := attempt(b.ID, 1, store.CallListSeq, store.AttemptSending) // a relay's call list is not withdrawn
	before := attempt(b.ID, 0, 0, store.AttemptQueued)                // neighbours are not
	after := attempt(b.ID, 2, 0, store.AttemptSending)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{sent, sending, queued, list, before, after}})

	// New attempts in the same batch are written first, so they are withdrawn too.
	fresh := attempt(b.ID, 1, 3, store.AttemptSending)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{fresh}, WithdrawFor: []store.Recipient{r1}})
	got := attemptStatuses(t, s, sent.ID, sending.ID, queued.ID, fresh.ID, list.ID, before.ID, after.ID)
	equal(t, "statuses (by id)", got, []uint8{store.AttemptQueued, store.AttemptSent, store.AttemptWithdrawn,
		store.AttemptWithdrawn, store.AttemptWithdrawn, store.AttemptSending, store.AttemptSending})
	equal(t, "queued after withdrawing", attemptIDs(get[[]store.Attempt](t)(s.Queued(t.Context(), t0, 10))), []int64{before.ID})
}

func testQueued(t *testing.T, s store.Store) {
	ctx := t.Context()
	b := newBulletin(t, s, people(5))
	var as []store.Attempt
	for i, due := range []int64{t0 + 30, t0 + 10, t0 + 10, t0 + 100} {
		a := attempt(b.ID, int32(i), 0, store.AttemptQueued)
		a.DueAt = due
		as = append(as, a)
	}
	sending := attempt(b.ID, 4, 0, store.AttemptSending)
	sending.DueAt, sending.LeaseUntil = t0, t0 // an expired lease is Leased's, not Queued's
	apply(t, s, store.Batch{NewAttempts: append(as, sending)})

	want := []int64{as[1].ID, as[2].ID, as[0].ID}
	equal(t, "queued by due time, id", attemptIDs(get[[]store.Attempt](t)(s.Queued(ctx, t0+50, 10))), want)
	equal(t, "queued, limit 2", attemptIDs(get[[]store.Attempt](t)(s.Queued(ctx, t0+50, 2))), want[:2])
	equal(t, "queued at the first slot", attemptIDs(get[[]store.Attempt](t)(s.Queued(ctx, t0+10, 10))), want[:2])
	equal(t, "queued before any slot", get[[]store.Attempt](t)(s.Queued(ctx, t0+9, 10)), nil)
	equal(t, "queued row", get[[]store.Attempt](t)(s.Queued(ctx, t0+30, 1))[0], as[1])
}

func testLeased(t *testing.T, s store.Store) {
	ctx := t.Context()
	b := newBulletin(t, s, people(4))
	early, late := attempt(b.ID, 3, 0, store.AttemptSending), attempt(b.ID, 0, 0, store.AttemptSending)
	early.LeaseUntil, late.LeaseUntil = t0+10, t0+50
	sent, queued := attempt(b.ID, 1, 0, store.AttemptSent), attempt(b.ID, 2, 0, store.AttemptQueued)
	sent.LeaseUntil, queued.DueAt = t0+1, t0+1
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{early, late, sent, queued}})

	equal(t, "leased before t0+20", get[[]store.Attempt](t)(s.Leased(ctx, t0+20)), []store.Attempt{early})
	equal(t, "lease ending now", get[[]store.Attempt](t)(s.Leased(ctx, t0+10)), nil)
	equal(t, "all leases, by id", attemptIDs(get[[]store.Attempt](t)(s.Leased(ctx, t0+100))), []int64{late.ID, early.ID})
}
