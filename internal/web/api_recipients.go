package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/store"
)

func (s *Server) apiRecipientRoutes() {
	s.mux.HandleFunc("GET /api/v1/bulletins/{id}/recipients", s.api(auth.Read, s.apiRecipients))
	s.mux.HandleFunc("POST /api/v1/bulletins/{id}/recipients/{person}/link", s.api(auth.Send, s.apiAckLink))
	s.mux.HandleFunc("GET /api/v1/bulletins/{id}/acks", s.api(auth.Read, s.apiAcks))
	s.mux.HandleFunc("POST /api/v1/bulletins/{id}/acks", s.api(auth.WorkCalls, s.apiRecordAck))
	s.mux.HandleFunc("GET /api/v1/bulletins/{id}/call-tasks", s.api(auth.Read, s.apiCallTasks))
	s.mux.HandleFunc("POST /api/v1/bulletins/{id}/call-tasks", s.api(auth.WorkCalls, s.apiOpenCallTask))
	s.mux.HandleFunc("POST /api/v1/bulletins/{id}/call-tasks/{task}/done", s.api(auth.WorkCalls, s.apiCallTaskDone))
	s.mux.HandleFunc("GET /api/v1/call-tasks", s.api(auth.Read, s.apiOpenCallTasks))
}

type recipientJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	State        string `json:"state"`
	Caller       string `json:"caller,omitempty"` // who is asked to call them
	Attempts     int    `json:"attempts"`
	AckedAt      int64  `json:"acked_unix_nano,omitempty"`
	Response     int    `json:"response,omitempty"`
	ResponseText string `json:"response_text,omitempty"`
}

func (sn *snapshot) recipientJSON(i int32) recipientJSON {
	p := sn.v.person(i)
	out := recipientJSON{ID: p.ID, Name: p.Name, State: sn.state(i).String()}
	if c := sn.v.EscalateTo(i); c >= 0 {
		out.Caller = sn.v.person(c).ID
	}
	if k := sn.rec[i]; k >= 0 {
		r := sn.recs[k]
		out.Attempts, out.AckedAt = int(r.Attempts), r.AckedAt
		if r.State == uint8(cascade.Acked) {
			out.Response, out.ResponseText = int(r.Response), sn.v.responseText(int(r.Response))
		}
	}
	return out
}

// listParams reads ?limit (default 100, at most 10,000) and ?offset.
func listParams(r *http.Request) (limit, offset int, aerr *apiError) {
	limit, offset = 100, 0
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return 0, 0, errBadRequest("limit", "limit: %q is not between 1 and 10000", v)
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, errBadRequest("offset", "offset: %q is not a number", v)
		}
		offset = n
	}
	return limit, offset, nil
}

// apiRecipients lists a bulletin's recipients in tree order, filtered by
// ?state and ?branch (a person id: that person and everyone under them).
func (s *Server) apiRecipients(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr == nil {
		var limit, offset int
		if limit, offset, aerr = listParams(r); aerr == nil {
			s.listRecipients(w, r, id, limit, offset)
			return
		}
	}
	writeError(w, aerr)
}

func (s *Server) listRecipients(w http.ResponseWriter, r *http.Request, id int64, limit, offset int) {
	sn, err := s.snaps.get(r.Context(), id, time.Second)
	if err != nil {
		writeError(w, err)
		return
	}
	q := r.URL.Query()
	want := -1
	if v := q.Get("state"); v != "" {
		for st := range nStates {
			if cascade.State(st).String() == v {
				want = st
			}
		}
		if want < 0 {
			writeError(w, errBadRequest("state", "state: %q is not pending, contacting, waiting, acked, unreached or cancelled", v))
			return
		}
	}
	span := sn.v.order
	if b := q.Get("branch"); b != "" {
		i, err := sn.v.personIndex(b)
		if err != nil {
			writeError(w, asAPIError(err))
			return
		}
		start := sn.v.pos[i]
		span = span[start : start+sn.sub[i].size()]
	}
	out, total := []recipientJSON{}, 0
	for _, i := range span {
		if want >= 0 && int(sn.state(i)) != want {
			continue
		}
		if total >= offset && len(out) < limit {
			out = append(out, sn.recipientJSON(i))
		}
		total++
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "offset": offset, "recipients": out})
}

// apiAcks lists who acked, in the order they did.
func (s *Server) apiAcks(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	sn, err := s.snaps.get(r.Context(), id, time.Second)
	if err != nil {
		writeError(w, err)
		return
	}
	out := []recipientJSON{}
	for _, rec := range sn.recs {
		if rec.State == uint8(cascade.Acked) {
			out = append(out, sn.recipientJSON(rec.Idx))
		}
	}
	slices.SortStableFunc(out, func(a, b recipientJSON) int { return cmp.Compare(a.AckedAt, b.AckedAt) })
	writeJSON(w, http.StatusOK, map[string]any{"acks": out})
}

type ackJSON struct {
	Person   string `json:"person"`
	Response int    `json:"response"`
}

// apiRecordAck records an ack an operator or caller heard (by phone, in
// person): a Reached report with the response given (0 for none).
func (s *Server) apiRecordAck(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var req ackJSON
	if aerr := s.decodeJSON(w, r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	v, err := s.view(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	i, err := v.personIndex(req.Person)
	if err != nil {
		writeError(w, err)
		return
	}
	if req.Response < 0 || req.Response > len(v.Spec.Responses) {
		writeError(w, errInvalid("response", "response: %d is not 0 (none) or an option from 1 to %d", req.Response, len(v.Spec.Responses)))
		return
	}
	rec, err := s.recipient(r.Context(), id, i)
	if err != nil {
		writeError(w, err)
		return
	}
	if st := cascade.State(rec.State); st == cascade.Acked || st == cascade.Cancelled {
		writeError(w, errConflict("already_"+st.String(), req.Person+" is already "+st.String()))
		return
	}
	err = s.cfg.Engine.Deliver(r.Context(), []provider.Report{{Kind: provider.Reached, Bulletin: id, Recipient: i, Response: req.Response, Source: "operator"}})
	if err != nil {
		writeError(w, err)
		return
	}
	s.metrics.Add("phonetree_acks_total", 1, "source", "operator")
	s.snaps.invalidate(id)
	s.cfg.Log.Info("ack recorded by operator", "bulletin", id, "person", req.Person, "by", p.User.Name)
	sn, err := s.snaps.get(r.Context(), id, 0)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, sn.recipientJSON(i))
}

// apiAckLink makes an ack link for a person's latest attempt (to send by
// other means, or to test a channel).
func (s *Server) apiAckLink(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	v, err := s.view(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	i, err := v.personIndex(r.PathValue("person"))
	if err != nil {
		writeError(w, err)
		return
	}
	rec, err := s.recipient(r.Context(), id, i)
	if err != nil {
		writeError(w, err)
		return
	}
	if rec.Attempts == 0 {
		writeError(w, errConflict("no_attempt", r.PathValue("person")+" has not been contacted yet"))
		return
	}
	link := s.AckLink(store.AttemptID(id, i, int(rec.Attempts)-1))
	writeJSON(w, http.StatusCreated, map[string]string{"url": link})
}
