package storetest

import (
	"testing"

	"phonetree/internal/store"
)

func testRecipients(t *testing.T, s store.Store) {
	ctx := t.Context()
	rs := people(1500)
	for i := range rs {
		rs[i].Attempts = int16(i % 7)
	}
	b1 := newBulletin(t, s, rs)
	newBulletin(t, s, people(5))

	got := byIdx(get[[]store.Recipient](t)(s.Recipients(ctx, b1.ID, []int32{3, 1, 99999})))
	equal(t, "recipients 1 and 3", got, []store.Recipient{rs[1], rs[3]})
	equal(t, "no indexes", get[[]store.Recipient](t)(s.Recipients(ctx, b1.ID, nil)), nil)
	equal(t, "unknown bulletin", get[[]store.Recipient](t)(s.Recipients(ctx, b1.ID+100, []int32{1})), nil)

	// More indexes than one statement's worth in SQLite.
	var many []int32
	for i := int32(0); i < 1500; i += 2 {
		many = append(many, i)
	}
	got = byIdx(get[[]store.Recipient](t)(s.Recipients(ctx, b1.ID, many)))
	if len(got) != len(many) {
		t.Fatalf("%d recipients, want %d", len(got), len(many))
	}
	for k, r := range got {
		equal(t, "recipient", r, rs[many[k]])
	}
	equal(t, "all recipients", get[[]store.Recipient](t)(s.AllRecipients(ctx, b1.ID)), rs)
}

func testUpsertRecipients(t *testing.T, s store.Store) {
	ctx := t.Context()
	rs := people(3)
	b := newBulletin(t, s, rs)
	changed := rs[1]
	changed.State, changed.Method, changed.Attempts, changed.Flags = 3, 2, 4, store.FlagCalleesReleased|store.FlagEscalated
	changed.MethodAt, changed.HealAt, changed.AckedAt, changed.Response = t0+1, t0+2, t0+3, 1
	added := store.Recipient{Bulletin: b.ID, Idx: 7, State: 1, Method: -1, MethodAt: t0 + 9}
	apply(t, s, store.Batch{Recipients: []store.Recipient{changed, added}})
	equal(t, "after upsert", get[[]store.Recipient](t)(s.AllRecipients(ctx, b.ID)), []store.Recipient{rs[0], changed, rs[2], added})

	// Two changes of one recipient in one batch: the last wins.
	first, last := rs[0], rs[0]
	first.State, first.HealAt = 2, t0+5
	last.State, last.AckedAt = 4, t0+6
	apply(t, s, store.Batch{Recipients: []store.Recipient{first, last}})
	equal(t, "last change wins", get[[]store.Recipient](t)(s.Recipients(ctx, b.ID, []int32{0})), []store.Recipient{last})
	equal(t, "due: the changed recipient only, not the first change", len(get[[]store.Recipient](t)(s.Due(ctx, t0+5, 10))), 1)
}

func testLargeBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 5000
	rs := people(n)
	for i := range rs {
		rs[i].MethodAt = t0 + int64(n-i)
	}
	b := newBulletin(t, s, rs)
	due := get[[]store.Recipient](t)(s.Due(ctx, t0+n, 2000))
	if len(due) != 2000 || due[0].Idx != n-1 || due[1999].Idx != n-2000 {
		t.Fatalf("due: %d recipients from %d, want 2000 from %d", len(due), due[0].Idx, n-1)
	}
	var batch store.Batch
	for i := range rs {
		rs[i].State, rs[i].Method, rs[i].MethodAt, rs[i].HealAt = 2, 0, 0, t0+1000
		batch.Recipients = append(batch.Recipients, rs[i])
		a := attempt(b.ID, rs[i].Idx, 0, store.AttemptSending)
		a.LeaseUntil = t0 + 60
		batch.NewAttempts = append(batch.NewAttempts, a)
		batch.Events = append(batch.Events, store.Event{Bulletin: b.ID, Idx: rs[i].Idx, At: t0, Kind: "contacting", Detail: "release"})
	}
	apply(t, s, batch)
	equal(t, "recipients", get[[]store.Recipient](t)(s.AllRecipients(ctx, b.ID)), rs)
	equal(t, "attempts", len(get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b.ID))), n)
	equal(t, "events", len(get[[]store.Event](t)(s.Events(ctx, b.ID))), n)
	equal(t, "due", len(get[[]store.Recipient](t)(s.Due(ctx, t0+999, n))), 0)
	equal(t, "due later", len(get[[]store.Recipient](t)(s.Due(ctx, t0+1000, n))), n)

	batch = store.Batch{}
	for i := range rs {
		batch.Attempts = append(batch.Attempts, store.AttemptUpdate{ID: store.AttemptID(b.ID, rs[i].Idx, 0), Status: store.AttemptSent, ProviderID: "p", At: t0 + 1})
	}
	apply(t, s, batch)
	for _, a := range get[[]store.Attempt](t)(s.BulletinAttempts(ctx, b.ID)) {
		if a.Status != store.AttemptSent || a.ProviderID != "p" {
			t.Fatalf("attempt %d: %+v, want sent by p", a.ID, a)
		}
	}
}
