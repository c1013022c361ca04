package engine

import (
	"container/heap"
	"context"
	"math"
)

// The schedule is the engine's index of when each recipient next needs it,
// kept beside the cache and trusted on the same terms (see cache.go): built
// from the store on first use, changed with every commit, and dropped with
// the cache. It spares each tick a query of the store's due index. The
// store's next_at stays the durable truth the schedule is rebuilt from.
type schedule struct {
	at    map[int64]int64 // recipient key -> next action (unix ns)
	queue dueHeap         // (at, key), possibly stale: an entry counts only while at[key] matches
}

type dueEntry struct{ at, key int64 }

type dueHeap []dueEntry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].key < h[j].key
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// set records key's next action (0: none).
func (s *schedule) set(key, at int64) {
	if cur, ok := s.at[key]; ok && cur == at {
		return
	}
	if at == 0 {
		delete(s.at, key)
		return
	}
	s.at[key] = at
	heap.Push(&s.queue, dueEntry{at, key})
}

// top drops stale entries and returns the earliest live one.
func (s *schedule) top() (dueEntry, bool) {
	for len(s.queue) > 0 {
		e := s.queue[0]
		if s.at[e.key] == e.at {
			return e, true
		}
		heap.Pop(&s.queue)
	}
	return dueEntry{}, false
}

// pop removes and returns up to limit keys due at now, earliest first (ties
// by key: bulletin, then recipient). The caller must set each again.
func (s *schedule) pop(now int64, limit int) []int64 {
	var keys []int64
	for len(keys) < limit {
		e, ok := s.top()
		if !ok || e.at > now {
			break
		}
		heap.Pop(&s.queue)
		delete(s.at, e.key)
		keys = append(keys, e.key)
	}
	return keys
}

// next is the earliest next action, if any.
func (s *schedule) next() (int64, bool) {
	e, ok := s.top()
	return e.at, ok
}

// loadSchedule builds the schedule from the store (once per cache
// generation), caching the recipients it reads.
func (e *Engine) loadSchedule(ctx context.Context) error {
	if e.sched != nil || e.cache == nil {
		return nil
	}
	rs, err := e.cfg.Store.Due(ctx, math.MaxInt64, math.MaxInt32)
	if err != nil {
		return err
	}
	s := &schedule{at: make(map[int64]int64, len(rs)), queue: make(dueHeap, 0, len(rs))}
	for _, r := range rs {
		k := rkey(r.Bulletin, r.Idx)
		s.at[k] = r.NextAt()
		s.queue = append(s.queue, dueEntry{r.NextAt(), k})
		e.remember(r)
	}
	heap.Init(&s.queue)
	e.sched = s
	return nil
}
