package web

import (
	"context"
	"net/http"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/store"
)

type personJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Number string `json:"number,omitempty"` // shown to roles that work calls
	State  string `json:"state,omitempty"`
}

type callTaskJSON struct {
	ID        int64       `json:"id"`
	Bulletin  int64       `json:"bulletin"`
	Assignee  *personJSON `json:"assignee"` // null: the operators
	Subject   personJSON  `json:"subject"`
	CreatedAt int64       `json:"created_unix_nano"`
	State     string      `json:"state"`
}

func (s *Server) callTaskJSON(ctx context.Context, t store.CallTask, p *principal) (callTaskJSON, error) {
	sn, err := s.snaps.get(ctx, t.Bulletin, time.Second)
	if err != nil {
		return callTaskJSON{}, err
	}
	numbers := p.Role.Can(auth.WorkCalls)
	person := func(i int32) personJSON {
		pp := sn.v.person(i)
		out := personJSON{ID: pp.ID, Name: pp.Name, State: sn.state(i).String()}
		if numbers {
			out.Number = pp.Mobile
			if out.Number == "" {
				out.Number = pp.Voice
			}
		}
		return out
	}
	out := callTaskJSON{ID: t.ID, Bulletin: t.Bulletin, Subject: person(t.Subject), CreatedAt: t.CreatedAt, State: t.State}
	if t.Assignee >= 0 {
		a := person(t.Assignee)
		out.Assignee = &a
	}
	return out, nil
}

func (s *Server) writeCallTasks(w http.ResponseWriter, r *http.Request, p *principal, ts []store.CallTask) {
	out := []callTaskJSON{}
	for _, t := range ts {
		j, err := s.callTaskJSON(r.Context(), t, p)
		if err != nil {
			writeError(w, err)
			return
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"call_tasks": out})
}

func (s *Server) apiCallTasks(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ts, err := s.cfg.Store.CallTasks(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(ts) == 0 {
		if _, err := s.cfg.Store.Bulletin(r.Context(), id); err != nil {
			writeError(w, err)
			return
		}
	}
	s.writeCallTasks(w, r, p, ts)
}

// apiOpenCallTasks is the queue: open call tasks of running bulletins.
func (s *Server) apiOpenCallTasks(w http.ResponseWriter, r *http.Request, p *principal) {
	ts, err := s.cfg.Store.OpenCallTasks(r.Context(), 1000)
	if err != nil {
		writeError(w, err)
		return
	}
	s.writeCallTasks(w, r, p, ts)
}

type openTaskJSON struct {
	Person   string `json:"person"`
	Assignee string `json:"assignee"` // default: the person's caller
}

func (s *Server) apiOpenCallTask(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var req openTaskJSON
	if aerr := s.decodeJSON(w, r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	t, err := s.openCallTask(r.Context(), id, req.Person, req.Assignee)
	if err != nil {
		writeError(w, err)
		return
	}
	s.cfg.Log.Info("call task opened", "bulletin", id, "person", req.Person, "by", p.User.Name)
	j, err := s.callTaskJSON(r.Context(), t, p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, j)
}

// openCallTask opens a call task for person (by id) in a bulletin.
func (s *Server) openCallTask(ctx context.Context, id int64, person, assignee string) (store.CallTask, error) {
	v, err := s.view(ctx, id)
	if err != nil {
		return store.CallTask{}, err
	}
	i, err := v.personIndex(person)
	if err != nil {
		return store.CallTask{}, err
	}
	a := v.EscalateTo(i)
	if assignee != "" {
		k, ok := v.Roster.Index(assignee)
		if !ok {
			return store.CallTask{}, errInvalid("assignee", "assignee: unknown id %q", assignee)
		}
		a = int32(k)
	}
	if err := s.cfg.Engine.OpenCallTask(ctx, id, i, a); err != nil {
		return store.CallTask{}, err
	}
	s.snaps.invalidate(id)
	ts, err := s.cfg.Store.CallTasks(ctx, id)
	if err != nil || len(ts) == 0 {
		return store.CallTask{}, err
	}
	return ts[len(ts)-1], nil
}

type taskDoneJSON struct {
	Reached  bool `json:"reached"`  // the person was reached: record it as an ack
	Response int  `json:"response"` // their response option, 0 for none
}

func (s *Server) apiCallTaskDone(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr == nil {
		var task int64
		if task, aerr = pathID(r, "task"); aerr == nil {
			var req taskDoneJSON
			if r.ContentLength != 0 {
				aerr = s.decodeJSON(w, r, &req)
			}
			if aerr == nil {
				s.callTaskDone(w, r, p, id, task, req)
				return
			}
		}
	}
	writeError(w, aerr)
}

func (s *Server) callTaskDone(w http.ResponseWriter, r *http.Request, p *principal, id, task int64, req taskDoneJSON) {
	t, err := s.finishCallTask(r.Context(), id, task, req)
	if err != nil {
		writeError(w, err)
		return
	}
	s.cfg.Log.Info("call task done", "bulletin", id, "task", task, "reached", req.Reached, "by", p.User.Name)
	j, err := s.callTaskJSON(r.Context(), t, p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// finishCallTask closes a call task, recording the subject reached if they were.
func (s *Server) finishCallTask(ctx context.Context, id, task int64, req taskDoneJSON) (store.CallTask, error) {
	ts, err := s.cfg.Store.CallTasks(ctx, id)
	if err != nil {
		return store.CallTask{}, err
	}
	var t *store.CallTask
	for k := range ts {
		if ts[k].ID == task {
			t = &ts[k]
		}
	}
	if t == nil {
		return store.CallTask{}, errNotFound("call task " + itoa(task) + " of bulletin " + itoa(id) + ": not found")
	}
	if req.Reached {
		v, err := s.view(ctx, id)
		if err != nil {
			return store.CallTask{}, err
		}
		if req.Response < 0 || req.Response > len(v.Spec.Responses) {
			return store.CallTask{}, errInvalid("response", "response: %d is not 0 or an option from 1 to %d", req.Response, len(v.Spec.Responses))
		}
		rec, err := s.recipient(ctx, id, t.Subject)
		if err != nil {
			return store.CallTask{}, err
		}
		if cascade.State(rec.State) != cascade.Acked {
			err := s.cfg.Engine.Deliver(ctx, []provider.Report{{Kind: provider.Reached, Bulletin: id, Recipient: t.Subject,
				Response: req.Response, Source: "caller"}})
			if err != nil {
				return store.CallTask{}, err
			}
			s.metrics.Add("phonetree_acks_total", 1, "source", "caller")
		}
	}
	if err := s.cfg.Store.SetCallTaskState(ctx, task, "done"); err != nil {
		return store.CallTask{}, err
	}
	s.snaps.invalidate(id)
	t.State = "done"
	return *t, nil
}
