package web

import (
	"context"
	"slices"
	"sync"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

const nStates = 6 // cascade states, pending to cancelled

// counts are people by state.
type counts [nStates]int32

// snapshot is a bulletin's state at one moment, with every branch's counts:
// what the status API, the dashboard and its live updates show.
type snapshot struct {
	v       *bulletinView
	b       store.Bulletin // current
	at      time.Time      // engine time it was taken
	rec     []int32        // person index -> position in recs, -1 if not a recipient
	recs    []store.Recipient
	sub     []counts // person index -> its subtree's counts (audience only)
	total   counts
	acks    []int64 // ack times, from the bulletin's creation, sorted
	tasks   []store.CallTask
	version uint64
}

func (sn *snapshot) state(i int32) cascade.State {
	if p := sn.rec[i]; p >= 0 {
		return cascade.State(sn.recs[p].State)
	}
	return cascade.Pending
}

// snapshots caches each bulletin's latest snapshot for a moment, so that
// many viewers cost one read.
type snapshots struct {
	s  *Server
	mu sync.Mutex
	m  map[int64]*snapEntry
}

type snapEntry struct {
	mu   sync.Mutex
	sn   *snapshot
	wall time.Time
}

func newSnapshots(s *Server) *snapshots { return &snapshots{s: s, m: map[int64]*snapEntry{}} }

// get returns a snapshot of bulletin id no older than maxAge.
func (ss *snapshots) get(ctx context.Context, id int64, maxAge time.Duration) (*snapshot, error) {
	ss.mu.Lock()
	e := ss.m[id]
	if e == nil {
		e = &snapEntry{}
		ss.m[id] = e
	}
	ss.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	now := ss.s.cfg.Clock.Now()
	if e.sn != nil && now.Sub(e.wall) < maxAge {
		return e.sn, nil
	}
	sn, err := ss.s.takeSnapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.sn != nil {
		sn.version = e.sn.version + 1
	}
	e.sn, e.wall = sn, now
	return sn, nil
}

// invalidate drops bulletin id's cached snapshot after a change made here,
// so that the answer to a change shows it.
func (ss *snapshots) invalidate(id int64) {
	ss.mu.Lock()
	e := ss.m[id]
	ss.mu.Unlock()
	if e != nil {
		e.mu.Lock()
		e.wall = time.Time{}
		e.mu.Unlock()
	}
}

func (s *Server) takeSnapshot(ctx context.Context, id int64) (*snapshot, error) {
	v, err := s.view(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := s.cfg.Store.Bulletin(ctx, id)
	if err != nil {
		return nil, err
	}
	at := s.cfg.Engine.Clock().Now()
	recs, err := s.cfg.Store.AllRecipients(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks, err := s.cfg.Store.CallTasks(ctx, id)
	if err != nil {
		return nil, err
	}
	n := len(v.Roster.People)
	sn := &snapshot{v: v, b: *b, at: at, rec: make([]int32, n), recs: recs, sub: make([]counts, n), tasks: tasks}
	for i := range sn.rec {
		sn.rec[i] = -1
	}
	for p, r := range recs {
		if int(r.Idx) < n {
			sn.rec[r.Idx] = int32(p)
		}
		st := cascade.State(r.State)
		sn.total[st]++
		if st == cascade.Acked {
			sn.acks = append(sn.acks, r.AckedAt-b.CreatedAt)
		}
	}
	slices.Sort(sn.acks)
	for k := len(v.order) - 1; k >= 0; k-- {
		i := v.order[k]
		sn.sub[i][sn.state(i)]++
		if p := v.Tree.Parent[i]; p >= 0 && v.Member[p] {
			for st := range nStates {
				sn.sub[p][st] += sn.sub[i][st]
			}
		}
	}
	return sn, nil
}

// size is the number of people in the counts.
func (c counts) size() int32 {
	var n int32
	for _, x := range c {
		n += x
	}
	return n
}

// byState names the counts.
func (c counts) byState() map[string]int {
	out := make(map[string]int, nStates)
	for st, x := range c {
		out[cascade.State(st).String()] = int(x)
	}
	return out
}
