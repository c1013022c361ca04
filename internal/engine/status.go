package engine

import (
	"context"
	"slices"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

// Status is a bulletin's progress and, once done, its summary.
type Status struct {
	Bulletin   int64          `json:"bulletin"`
	Title      string         `json:"title"`
	Mode       string         `json:"mode"`
	State      string         `json:"state"`
	Created    int64          `json:"created_unix_nano"`
	People     int            `json:"people"`
	Reachable  int            `json:"reachable"` // with at least one contact method
	Reached    int            `json:"reached"`   // delivered to, answered, or acked
	Acked      int            `json:"acked"`
	Unreached  int            `json:"unreached"`
	Cancelled  int            `json:"cancelled"`
	ByState    map[string]int `json:"by_state"`
	T50        *float64       `json:"t50_seconds"` // seconds from send to 50% of reachable acked; null if never
	T90        *float64       `json:"t90_seconds"`
	T99        *float64       `json:"t99_seconds"`
	Attempts   map[string]int `json:"attempts"` // handed to a provider, by channel
	CallTasks  int            `json:"call_tasks"`
	Unreachers []Unreached    `json:"unreached_people,omitempty"`
}

// Unreached names a person not reached and who should call them.
type Unreached struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Caller string `json:"caller,omitempty"`
}

// Status computes a bulletin's status from the store.
func (e *Engine) Status(ctx context.Context, id int64) (*Status, error) {
	e.mu.Lock()
	rn, err := e.loadRun(ctx, id)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	b, err := e.cfg.Store.Bulletin(ctx, id)
	if err != nil {
		return nil, err
	}
	rs, err := e.cfg.Store.AllRecipients(ctx, id)
	if err != nil {
		return nil, err
	}
	as, err := e.cfg.Store.BulletinAttempts(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks, err := e.cfg.Store.CallTasks(ctx, id)
	if err != nil {
		return nil, err
	}
	s := &Status{Bulletin: id, Title: b.Title, Mode: b.Mode, State: b.State, Created: b.CreatedAt, People: len(rs),
		ByState: map[string]int{}, Attempts: map[string]int{}, CallTasks: len(tasks)}
	reached := map[int32]bool{}
	for _, a := range as {
		if a.Kind == store.AttemptContact && a.Status >= store.AttemptSent && a.Status != store.AttemptWithdrawn {
			s.Attempts[a.Method]++
		}
		if a.Kind == store.AttemptContact && a.Status == store.AttemptDelivered {
			reached[a.Idx] = true
		}
	}
	var ackTimes []int64
	for _, r := range rs {
		st := cascade.State(r.State)
		s.ByState[st.String()]++
		if len(rn.plan(r.Idx)) > 0 {
			s.Reachable++
		}
		switch st {
		case cascade.Acked:
			s.Acked++
			reached[r.Idx] = true
			ackTimes = append(ackTimes, r.AckedAt-b.CreatedAt)
		case cascade.Unreached:
			s.Unreached++
			s.Unreachers = append(s.Unreachers, rn.unreached(r.Idx))
		case cascade.Cancelled:
			s.Cancelled++
		}
	}
	s.Reached = len(reached)
	if s.State == "running" && s.Acked+s.Unreached+s.Cancelled == s.People {
		s.State = "done"
	}
	slices.Sort(ackTimes)
	s.T50, s.T90, s.T99 = quantile(ackTimes, s.Reachable, 0.5), quantile(ackTimes, s.Reachable, 0.9), quantile(ackTimes, s.Reachable, 0.99)
	return s, nil
}

// quantile is the time by which share q of n people had acked (nil if never).
func quantile(sorted []int64, n int, q float64) *float64 {
	need := int(float64(n)*q + 0.999999)
	if need == 0 || need > len(sorted) {
		return nil
	}
	v := float64(sorted[need-1]) / float64(time.Second)
	v = float64(int64(v*10+0.5)) / 10
	return &v
}

func (r *run) unreached(i int32) Unreached {
	p := &r.roster.People[i]
	u := Unreached{ID: p.ID, Name: p.Name}
	if c := r.callTaskTo(i, 0); c >= 0 {
		u.Caller = r.roster.People[c].ID + " " + r.roster.People[c].Name
	}
	return u
}
