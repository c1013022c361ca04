package storetest

import (
	"testing"

	"phonetree/internal/store"
)

// testCallTaskQueue checks the operators' queue: open tasks of running
// bulletins, oldest first, until someone marks them done.
func testCallTaskQueue(t *testing.T, s store.Store) {
	ops, ctx := optional[store.Operations](t, s), t.Context()
	running, done := newBulletin(t, s, people(4)), newBulletin(t, s, people(2))
	apply(t, s, store.Batch{Bulletins: []store.BulletinState{{ID: done.ID, State: "done"}}})
	apply(t, s, store.Batch{CallTasks: []store.CallTask{
		{Bulletin: running.ID, Assignee: 0, Subject: 3, CreatedAt: t0, State: "open"},
		{Bulletin: done.ID, Assignee: -1, Subject: 1, CreatedAt: t0 + 1, State: "open"}, // its bulletin is over
		{Bulletin: running.ID, Assignee: -1, Subject: 2, CreatedAt: t0 + 2, State: "done"},
		{Bulletin: running.ID, Assignee: -1, Subject: 1, CreatedAt: t0 + 3, State: "open"},
	}})
	all := get[[]store.CallTask](t)(s.CallTasks(ctx, running.ID))
	open := []store.CallTask{all[0], all[2]}
	equal(t, "open tasks", get[[]store.CallTask](t)(ops.OpenCallTasks(ctx, 10)), open)
	equal(t, "open tasks, limit 1", get[[]store.CallTask](t)(ops.OpenCallTasks(ctx, 1)), open[:1])

	must(t, ops.SetCallTaskState(ctx, open[0].ID, "done"))
	equal(t, "open tasks after one is done", get[[]store.CallTask](t)(ops.OpenCallTasks(ctx, 10)), open[1:])
	equal(t, "the done task", get[[]store.CallTask](t)(s.CallTasks(ctx, running.ID))[0].State, "done")
	notFound(t, "a missing task", ops.SetCallTaskState(ctx, all[2].ID+100, "done"))
}

// testQueueDepth counts due recipients and queued attempts, and reads
// recipients as Recipients does.
func testQueueDepth(t *testing.T, s store.Store) {
	ops, ctx := optional[store.Operations](t, s), t.Context()
	must(t, ops.Ping(ctx))
	rs := people(4)
	rs[0].MethodAt, rs[1].HealAt, rs[2].MethodAt = t0, t0+10, t0+100
	b := newBulletin(t, s, rs)
	var as []store.Attempt
	for i, due := range []int64{t0, t0 + 10, t0 + 100} {
		a := attempt(b.ID, int32(i), 0, store.AttemptQueued)
		a.DueAt = due
		as = append(as, a)
	}
	sent := attempt(b.ID, 3, 0, store.AttemptSent)
	apply(t, s, store.Batch{NewAttempts: append(as, sent)})
	for _, c := range []struct {
		now         int64
		due, queued int
	}{{t0 - 1, 0, 0}, {t0, 1, 1}, {t0 + 10, 2, 2}, {t0 + 1000, 3, 3}} {
		due, queued, err := ops.QueueDepth(ctx, c.now)
		must(t, err)
		if due != c.due || queued != c.queued {
			t.Errorf("queue depth at t0%+d: %d due, %d queued; want %d, %d", c.now-t0, due, queued, c.due, c.queued)
		}
	}
	idxs := []int32{2, 0, 9}
	equal(t, "read recipients", byIdx(get[[]store.Recipient](t)(ops.ReadRecipients(ctx, b.ID, idxs))),
		byIdx(get[[]store.Recipient](t)(s.Recipients(ctx, b.ID, idxs))))
}
