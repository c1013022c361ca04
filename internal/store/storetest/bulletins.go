package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"phonetree/internal/store"
)

func testRosterVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.RosterVersion(ctx, 0)
	notFound(t, "latest of none", err)
	equal(t, "versions of none", get[[]store.RosterVersion](t)(s.RosterVersions(ctx)), nil)

	// Twelve chunks, so that chunk 10 sorting before chunk 2 would show.
	v1 := &store.RosterVersion{CreatedAt: t0, People: 12, Diff: "+12", Lint: "1 warning"}
	for i := range 12 {
		v1.Chunks = append(v1.Chunks, []byte(fmt.Sprintf("chunk %d", i)))
	}
	must(t, s.SaveRosterVersion(ctx, v1))
	big := bytes.Repeat([]byte{0, 1, 2, 0xff}, 256<<10) // 1 MiB, with NUL and high bytes
	v2 := &store.RosterVersion{CreatedAt: t0 + 1, People: 13, Diff: "+1 ~2", Chunks: [][]byte{big, {}}}
	must(t, s.SaveRosterVersion(ctx, v2))
	if v1.ID <= 0 || v2.ID <= v1.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", v1.ID, v2.ID)
	}

	sameVersion(t, "latest", get[*store.RosterVersion](t)(s.RosterVersion(ctx, 0)), v2)
	sameVersion(t, "version 1", get[*store.RosterVersion](t)(s.RosterVersion(ctx, v1.ID)), v1)
	_, err = s.RosterVersion(ctx, v2.ID+1)
	notFound(t, "missing version", err)

	list := get[[]store.RosterVersion](t)(s.RosterVersions(ctx))
	for i := range list {
		if len(list[i].Chunks) > 0 {
			t.Errorf("RosterVersions: version %d has chunks", list[i].ID)
		}
		list[i].Chunks = nil
	}
	w1, w2 := *v1, *v2
	w1.Chunks, w2.Chunks = nil, nil
	equal(t, "versions, newest first", list, []store.RosterVersion{w2, w1})
}

func testBulletins(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.Bulletin(ctx, 1)
	notFound(t, "bulletin of none", err)
	equal(t, "bulletins of none", get[[]store.Bulletin](t)(s.Bulletins(ctx)), nil)

	// Recipients in scrambled order, with every field set.
	var rs []store.Recipient
	for _, i := range []int32{4, 0, 3, 1, 2} {
		rs = append(rs, store.Recipient{Idx: i, State: uint8(i), Method: int8(i) - 1, Attempts: int16(i * 2),
			Flags: uint8(i) & 7, MethodAt: t0 + int64(i), HealAt: t0 + 100*int64(i), AckedAt: int64(i) * 7, Response: int8(i) - 1})
	}
	b1 := newBulletin(t, s, rs)
	if b1.ID <= 0 || b1.Incident != b1.ID || b1.Recipients != len(rs) {
		t.Fatalf("created %+v: want an id, incident = id, recipients = %d", b1, len(rs))
	}
	for _, r := range rs {
		if r.Bulletin != b1.ID {
			t.Fatalf("recipient %d: bulletin %d, want %d", r.Idx, r.Bulletin, b1.ID)
		}
	}
	b2 := &store.Bulletin{Incident: b1.Incident, Kind: "update", Status: "exercise", Title: "Update", Body: "All clear",
		Mode: "cascade", Policy: "{}", RosterVersion: b1.RosterVersion, CreatedAt: t0 + 5, State: "running"}
	must(t, s.CreateBulletin(ctx, b2, nil))
	if b2.ID <= b1.ID || b2.Incident != b1.Incident || b2.Recipients != 0 {
		t.Fatalf("created %+v: want a new id in incident %d", b2, b1.Incident)
	}

	equal(t, "bulletin 1", get[*store.Bulletin](t)(s.Bulletin(ctx, b1.ID)), b1)
	equal(t, "bulletins, newest first", get[[]store.Bulletin](t)(s.Bulletins(ctx)), []store.Bulletin{*b2, *b1})
	_, err = s.Bulletin(ctx, b2.ID+1)
	notFound(t, "missing bulletin", err)
	equal(t, "recipients by index", get[[]store.Recipient](t)(s.AllRecipients(ctx, b1.ID)), byIdx(rs))
	equal(t, "recipients of an empty bulletin", get[[]store.Recipient](t)(s.AllRecipients(ctx, b2.ID)), nil)
}

func testBulletinState(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2 := newBulletin(t, s, people(1)), newBulletin(t, s, people(1))
	apply(t, s, store.Batch{Bulletins: []store.BulletinState{{ID: b1.ID, State: "cancelled"}}})
	equal(t, "cancelled", get[*store.Bulletin](t)(s.Bulletin(ctx, b1.ID)).State, "cancelled")
	equal(t, "other bulletin", get[*store.Bulletin](t)(s.Bulletin(ctx, b2.ID)).State, "running")
	apply(t, s, store.Batch{Bulletins: []store.BulletinState{{ID: b1.ID, State: "done"}, {ID: b2.ID, State: "done"}}})
	for _, b := range get[[]store.Bulletin](t)(s.Bulletins(ctx)) {
		equal(t, fmt.Sprintf("bulletin %d", b.ID), b.State, "done")
	}
}

func testDue(t *testing.T, s store.Store) {
	ctx := t.Context()
	rs := people(6)
	rs[0].MethodAt = t0 + 30
	rs[1].HealAt = t0 + 10
	rs[2].MethodAt, rs[2].HealAt = t0+20, t0+5 // the earlier of the two
	rs[3].MethodAt, rs[3].HealAt = t0+10, t0+40
	// rs[4] has no timer
	rs[5].MethodAt = t0 + 100 // not yet
	b1 := newBulletin(t, s, rs)
	b2 := newBulletin(t, s, []store.Recipient{{Idx: 0, HealAt: t0 + 10}, {Idx: 9, MethodAt: t0 + 10}})

	due := get[[]store.Recipient](t)(s.Due(ctx, t0+50, 100))
	k := func(b *store.Bulletin, i int32) string { return fmt.Sprintf("%d/%d", b.ID, i) }
	want := []string{k(b1, 2), k(b1, 1), k(b1, 3), k(b2, 0), k(b2, 9), k(b1, 0)}
	equal(t, "due by next action, bulletin, index", recipientKeys(due), want)
	equal(t, "due row", due[0], rs[2])
	equal(t, "due, limit 2", recipientKeys(get[[]store.Recipient](t)(s.Due(ctx, t0+50, 2))), want[:2])
	equal(t, "due at the first timer", recipientKeys(get[[]store.Recipient](t)(s.Due(ctx, t0+5, 10))), want[:1])
	equal(t, "due before any timer", get[[]store.Recipient](t)(s.Due(ctx, t0+4, 10)), nil)

	// Clearing a timer takes the recipient off the due list; setting one puts it on.
	rs[2].MethodAt, rs[2].HealAt, rs[4].HealAt = 0, 0, t0+1
	apply(t, s, store.Batch{Recipients: []store.Recipient{rs[2], rs[4]}})
	equal(t, "due after changes", recipientKeys(get[[]store.Recipient](t)(s.Due(ctx, t0+10, 3))), []string{k(b1, 4), k(b1, 1), k(b1, 3)})
}

func testNextDue(t *testing.T, s store.Store) {
	ctx := t.Context()
	check := func(what string, want int64, wantOK bool) {
		t.Helper()
		n, ok, err := s.NextDue(ctx)
		must(t, err)
		if n != want || ok != wantOK {
			t.Errorf("%s: NextDue = %d, %v; want %d, %v", what, n, ok, want, wantOK)
		}
	}
	check("empty store", 0, false)
	rs := people(3)
	b := newBulletin(t, s, rs)
	check("no timers", 0, false)
	rs[1].HealAt = t0 + 40
	apply(t, s, store.Batch{Recipients: rs[1:2]})
	check("a recipient timer", t0+40, true)

	queued, sending := attempt(b.ID, 0, 0, store.AttemptQueued), attempt(b.ID, 2, 0, store.AttemptSending)
	queued.DueAt, sending.DueAt, sending.LeaseUntil = t0+20, t0+1, t0+2
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{queued, sending}})
	check("a queued attempt, earlier", t0+20, true)
	apply(t, s, store.Batch{Attempts: []store.AttemptUpdate{{ID: queued.ID, Status: store.AttemptSent, At: t0 + 20}}})
	check("attempt sent", t0+40, true)
	rs[1].HealAt = 0
	apply(t, s, store.Batch{Recipients: rs[1:2], Attempts: []store.AttemptUpdate{{ID: sending.ID, Status: store.AttemptQueued, DueAt: t0 + 60}}})
	check("only a requeued attempt", t0+60, true)
}
