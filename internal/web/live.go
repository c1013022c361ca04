package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

type unreachedData struct {
	Bulletin    int64
	Total, More int
	People      []recipientJSON
	CanWork     bool
	CSRF        string
}

const unreachedShown = 200

// unreached lists the unreached with who should call them.
func (sn *snapshot) unreached(p *principal, csrf string) unreachedData {
	d := unreachedData{Bulletin: sn.b.ID, CanWork: p.Role.Can(auth.WorkCalls), CSRF: csrf}
	for _, i := range sn.v.order {
		if sn.state(i) != cascade.Unreached {
			continue
		}
		d.Total++
		if len(d.People) < unreachedShown {
			r := sn.recipientJSON(i)
			r.Caller = sn.v.callerName(i)
			d.People = append(d.People, r)
		}
	}
	d.More = d.Total - len(d.People)
	return d
}

type taskRow struct {
	ID, Bulletin                            int64
	Subject, Number, SubjectState, Assignee string
}

type tasksData struct {
	Tasks   []taskRow
	CanWork bool
	CSRF    string
	Back    string
}

// tasksData shows open call tasks (numbers only to roles that work calls).
func (s *Server) tasksData(r *http.Request, p *principal, csrf string, ts []store.CallTask) tasksData {
	d := tasksData{CanWork: p.Role.Can(auth.WorkCalls), CSRF: csrf, Back: r.URL.Path}
	for _, t := range ts {
		if t.State != "open" {
			continue
		}
		j, err := s.callTaskJSON(r.Context(), t, p)
		if err != nil {
			continue
		}
		row := taskRow{ID: t.ID, Bulletin: t.Bulletin, Subject: j.Subject.Name + " " + j.Subject.ID, Number: j.Subject.Number,
			SubjectState: j.Subject.State, Assignee: "operators"}
		if j.Assignee != nil {
			row.Assignee = j.Assignee.Name + " " + j.Assignee.ID
		}
		d.Tasks = append(d.Tasks, row)
	}
	return d
}

// curve is the reach curve as an SVG path (share of the reachable acked
// over time since the send, in a 600×200 box) and the time it spans.
func (sn *snapshot) curve() (path, span string) {
	total := max(sn.v.nReach, 1)
	end := sn.at.Sub(time.Unix(0, sn.b.CreatedAt))
	if len(sn.acks) > 0 {
		end = max(end, time.Duration(sn.acks[len(sn.acks)-1]))
	}
	end = max(end, time.Minute)
	var b strings.Builder
	b.WriteString("M0,200")
	const steps = 300
	for k := 1; k <= steps; k++ {
		t := int64(end) * int64(k) / steps
		n := sort.Search(len(sn.acks), func(j int) bool { return sn.acks[j] > t })
		fmt.Fprintf(&b, " L%d,%.1f", k*600/steps, 200-200*float64(min(n, total))/float64(total))
	}
	return b.String(), ago(end)
}

// liveUpdate is one server-sent event of a bulletin's live view.
type liveUpdate struct {
	State     string         `json:"state"`
	Done      bool           `json:"done"`
	Pct       string         `json:"pct"`
	Acked     int32          `json:"acked"`
	Counts    map[string]int `json:"counts"`
	Curve     string         `json:"curve"`
	Span      string         `json:"span"`
	Nodes     [][4]int32     `json:"nodes"` // person index, state, acked in branch, branch size
	Unreached *string        `json:"unreached,omitempty"`
	Tasks     *string        `json:"tasks,omitempty"`
}

// liveConn is what one viewer was last sent.
type liveConn struct {
	state     []int8
	acked     []int32
	unreached string
	tasks     string
}

func (c *liveConn) update(s *Server, r *http.Request, p *principal, sn *snapshot) (*liveUpdate, error) {
	n := len(sn.v.Roster.People)
	if c.state == nil {
		c.state, c.acked = make([]int8, n), make([]int32, n)
	}
	u := &liveUpdate{State: sn.b.State, Done: sn.done(), Acked: sn.total[cascade.Acked], Counts: sn.total.byState(), Nodes: [][4]int32{}}
	u.Pct = funcs["pct"].(func(a, b int) string)(int(u.Acked), sn.v.nReach)
	u.Curve, u.Span = sn.curve()
	for _, i := range sn.v.order {
		st, a := int8(sn.state(i)), sn.sub[i][cascade.Acked]
		if st != c.state[i] || a != c.acked[i] {
			c.state[i], c.acked[i] = st, a
			u.Nodes = append(u.Nodes, [4]int32{i, int32(st), a, sn.sub[i].size()})
		}
	}
	csrf := ""
	if p.Session != nil {
		csrf = s.csrfToken(p.Session)
	}
	un, err := s.fragment("unreached", sn.unreached(p, csrf))
	if err != nil {
		return nil, err
	}
	if un != c.unreached {
		c.unreached, u.Unreached = un, &un
	}
	tk, err := s.fragment("tasks", s.tasksData(r, p, csrf, sn.tasks))
	if err != nil {
		return nil, err
	}
	if tk != c.tasks {
		c.tasks, u.Tasks = tk, &tk
	}
	return u, nil
}

// live streams a bulletin's changes as server-sent events, one "update"
// a LivePoll at most, until the viewer leaves or the server shuts down.
func (s *Server) live(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		http.Error(w, aerr.Message, http.StatusNotFound)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	rc.SetWriteDeadline(time.Time{})
	fmt.Fprintf(w, "retry: 2000\n\n")
	var c liveConn
	var version uint64 = 1<<64 - 1
	tick := time.NewTicker(s.cfg.LivePoll)
	defer tick.Stop()
	for {
		if err := s.liveStep(w, r, p, id, &c, &version); err != nil {
			if err != context.Canceled {
				s.cfg.Log.Warn("live view", "bulletin", id, "err", err)
			}
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-tick.C:
		}
	}
}

func (s *Server) liveStep(w http.ResponseWriter, r *http.Request, p *principal, id int64, c *liveConn, version *uint64) error {
	sn, err := s.snaps.get(r.Context(), id, s.cfg.LivePoll/2)
	if err != nil {
		return err
	}
	if sn.version == *version {
		_, err := fmt.Fprintf(w, ": idle\n\n")
		return err
	}
	*version = sn.version
	u, err := c.update(s, r, p, sn)
	if err != nil {
		return err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: update\ndata: %s\n\n", data)
	return err
}
