package engine

import (
	"context"

	"phonetree/internal/store"
)

// The engine remembers the committed state of the recipients it works, so
// that a report need not read its recipient back. The cache is trusted only
// while nothing else writes the store: a backend that can tell (SQLite's
// data_version) says so, and any outside change, or a failed commit, empties
// it. A backend that cannot tell gets no cache.

// maxCached bounds the cache; past it, it starts over.
const maxCached = 2_000_000

// syncCache empties the cache if another writer changed the store.
func (e *Engine) syncCache(ctx context.Context) {
	cw, ok := e.cfg.Store.(store.ChangeWatcher)
	if !ok {
		e.cache, e.sched, e.escal = nil, nil, nil
		return
	}
	v, err := cw.ExternalChanges(ctx)
	if err != nil || v != e.cacheVersion || e.cache == nil || len(e.cache) > maxCached {
		e.cache, e.cacheVersion, e.sched, e.escal = map[int64]store.Recipient{}, v, nil, nil
	}
}

// remember caches a recipient's committed state.
func (e *Engine) remember(r store.Recipient) {
	if e.cache != nil {
		e.cache[rkey(r.Bulletin, r.Idx)] = r
	}
}

// forget empties the cache and drops the schedule (after a failed commit:
// what they hold may not be what is stored).
func (e *Engine) forget() {
	if e.cache != nil {
		e.cache = map[int64]store.Recipient{}
	}
	e.sched, e.escal = nil, nil
}
