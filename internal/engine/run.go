package engine

import (
	"context"
	"time"
)

// Run works bulletins on the engine's clock until ctx ends: it recovers
// attempts orphaned by a previous process, then ticks whenever work is due,
// sleeping until the next due time or a Wake. Errors are logged and retried.
func (e *Engine) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	if _, err := e.Recover(ctx); err != nil {
		e.cfg.Log.Error("recover orphaned attempts", "err", err)
	}
	for {
		for {
			n, err := e.Tick(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				e.cfg.Log.Error("engine tick", "err", err)
				break
			}
			if n == 0 {
				break
			}
		}
		wait := poll
		if next, ok, err := e.NextDue(ctx); err == nil && ok {
			wait = min(max(next.Sub(e.cfg.Clock.Now()), time.Millisecond), poll)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
		case <-time.After(wait):
		}
	}
}

// Wake makes Run look for due work at once (after a new bulletin, say).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}
