package engine

import (
	"cmp"
	"math"
	"slices"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

// A call task for an unreached person goes up a chain (DESIGN §4): their
// caller, then the caller's caller, then their backups, then the operators.
// When the newest task for a person has stayed open for the policy's
// CallTaskWait and they are still unreached, the next in the chain gets a
// task too (and a notice); the earlier tasks stay open.

// chain is who gets person i's call tasks, in turn (-1: the operators).
func (r *run) chain(i int32) []int32 {
	var out []int32
	add := func(p int32) {
		if p >= 0 && p != i && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if p := r.tree.Parent[i]; p >= 0 {
		add(p)
		add(r.tree.Parent[p])
	}
	for _, id := range r.roster.People[i].Backups {
		if b, ok := r.roster.Index(id); ok {
			add(int32(b))
		}
	}
	return append(out, -1)
}

// callTaskTo is who call task number level for person i goes to.
func (r *run) callTaskTo(i int32, level int) int32 {
	if c := r.chain(i); level < len(c) {
		return c[level]
	}
	return -1
}

func (r *run) callTaskWait() time.Duration {
	return cmp.Or(r.spec.Policy.CallTaskWait, cascade.DefaultCallTaskWait)
}

// openCallTask opens call task number level for recipient rc and sends its
// assignee a notice; if the chain goes on, the work's commit schedules the
// next.
func (w *work) openCallTask(rn *run, rc *store.Recipient, level int) {
	to := rn.callTaskTo(rc.Idx, level)
	w.batch.CallTasks = append(w.batch.CallTasks, store.CallTask{Bulletin: rc.Bulletin,
		Assignee: to, Subject: rc.Idx, CreatedAt: w.now.UnixNano(), State: "open"})
	if to >= 0 && len(rn.plan(to)) > 0 { // tell the human who should call
		w.newAttempt(rn, rc.Idx, store.CallTaskSeq+level, store.AttemptCallTask, rn.plan(to)[0])
	}
	if level+1 < len(rn.chain(rc.Idx)) {
		w.escalations = append(w.escalations, escalation{key: rkey(rc.Bulletin, rc.Idx),
			at: w.now.Add(rn.callTaskWait()).UnixNano(), level: level + 1})
	}
}

// escalation is a call task to open when its time comes, unless its subject
// has been reached by then.
type escalation struct {
	key, at int64
	level   int
}

// escalations is the engine's index of the call tasks due to go up their
// chain, kept like the schedule (schedule.go): built from the store on
// first use, changed with each commit, dropped with the cache.
type escalations struct {
	when  schedule
	level map[int64]int
}

func (x *escalations) add(es []escalation) {
	for _, n := range es {
		x.when.set(n.key, n.at)
		x.level[n.key] = n.level
	}
}

// loadEscalations builds the index from the committed call tasks of the
// running bulletins.
func (w *work) loadEscalations() error {
	e := w.e
	if e.escal != nil {
		return nil
	}
	if err := e.land(); err != nil {
		return err
	}
	bs, err := e.cfg.Store.Bulletins(w.ctx)
	if err != nil {
		return err
	}
	x := &escalations{when: schedule{at: map[int64]int64{}}, level: map[int64]int{}}
	for _, b := range bs {
		if b.State != "running" {
			continue
		}
		tasks, err := e.cfg.Store.CallTasks(w.ctx, b.ID)
		if err != nil {
			return err
		}
		if len(tasks) == 0 {
			continue
		}
		rn, err := e.loadRun(w.ctx, b.ID)
		if err != nil {
			return err
		}
		newest, count := map[int32]int64{}, map[int32]int{}
		for _, t := range tasks {
			count[t.Subject]++
			newest[t.Subject] = max(newest[t.Subject], t.CreatedAt)
		}
		for s, n := range count {
			if n < len(rn.chain(s)) {
				x.add([]escalation{{key: rkey(b.ID, s), at: newest[s] + int64(rn.callTaskWait()), level: n}})
			}
		}
	}
	e.escal = x
	return nil
}

// escalate opens the call tasks whose time has come, for subjects still
// unreached, and returns how many.
func (w *work) escalate() (int, error) {
	e := w.e
	if e.cache == nil {
		return 0, nil // no cache, no index: a backend that cannot tell others' writes does without
	}
	if err := w.loadEscalations(); err != nil {
		return 0, err
	}
	keys := e.escal.when.pop(w.now.UnixNano(), math.MaxInt)
	if len(keys) == 0 {
		return 0, nil
	}
	if err := w.loadKeys(keys); err != nil {
		return 0, err
	}
	opened := 0
	for _, k := range keys {
		level := e.escal.level[k]
		delete(e.escal.level, k)
		rc := w.loaded[k]
		if rc == nil || cascade.State(rc.State) != cascade.Unreached {
			continue
		}
		rn, err := e.loadRun(w.ctx, rc.Bulletin)
		if err != nil {
			return opened, err
		}
		if rn.b.State != "running" {
			continue
		}
		w.openCallTask(rn, rc, level)
		opened++
	}
	return opened, nil
}
