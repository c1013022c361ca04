package engine

import (
	"context"
	"time"

	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// View is a bulletin with its frozen roster and audience, for pages and the
// API to show. The roster and tree are shared: read them, never change them.
type View struct {
	Bulletin store.Bulletin // as loaded: read the store for its current state
	Spec     Spec
	Roster   *roster.Roster
	Tree     *roster.Tree
	Member   []bool // in the audience, by person index
}

// View returns bulletin id with its roster, loading it on first use.
func (e *Engine) View(ctx context.Context, id int64) (*View, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rn, err := e.loadRun(ctx, id)
	if err != nil {
		return nil, err
	}
	return &View{Bulletin: rn.b, Spec: rn.spec, Roster: rn.roster, Tree: rn.tree, Member: rn.member}, nil
}

// EscalateTo is who gets a call task for person i: their caller, else their
// first backup, else the operators (-1).
func (v *View) EscalateTo(i int32) int32 {
	if p := v.Tree.Parent[i]; p >= 0 {
		return p
	}
	for _, id := range v.Roster.People[i].Backups {
		if b, ok := v.Roster.Index(id); ok {
			return int32(b)
		}
	}
	return -1
}

// OpenCallTask opens a call task by hand: assignee (a person index, -1 for
// the operators) should call subject.
func (e *Engine) OpenCallTask(ctx context.Context, bulletin int64, subject, assignee int32) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg.Store.Apply(ctx, &store.Batch{CallTasks: []store.CallTask{{Bulletin: bulletin, Assignee: assignee,
		Subject: subject, CreatedAt: e.cfg.Clock.Now().UnixNano(), State: "open"}}})
}

// Serve works bulletins on the engine's clock until ctx ends: it recovers
// attempts orphaned by a dead process, then ticks whenever work is due,
// sleeping until the next due time or a Wake. When ctx ends it lets the
// tick in progress finish (its attempts are handed over and recorded, so no
// lease is left held), then returns.
func (e *Engine) Serve(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	work := context.WithoutCancel(ctx)
	if _, err := e.Recover(work); err != nil {
		e.cfg.Log.Error("recover orphaned attempts", "err", err)
	}
	for ctx.Err() == nil {
		for ctx.Err() == nil {
			n, err := e.Tick(work)
			if err != nil {
				e.cfg.Log.Error("engine tick", "err", err)
				break
			}
			if n == 0 {
				break
			}
		}
		wait := poll
		if next, ok, err := e.NextDue(work); err == nil && ok {
			wait = min(max(next.Sub(e.cfg.Clock.Now()), time.Millisecond), poll)
		}
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-time.After(wait):
		}
	}
	return nil
}

// Clock is the engine's clock (scaled under the simulator).
func (e *Engine) Clock() interface{ Now() time.Time } { return e.cfg.Clock }
