package web

import (
	"errors"
	"net/http"
	"strconv"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

// The ack pages carry no cookie and no session: the secret in the URL is
// their only authority, and a cross-site page that knew it could as well
// use it directly, so their forms need no CSRF token. GET never records
// anything (mail scanners follow links); only POST does.
func (s *Server) ackRoutes() {
	s.mux.HandleFunc("GET /a/{token}", s.ackPage)
	s.mux.HandleFunc("POST /a/{token}", s.ack)
}

type ackData struct {
	Token     string
	Exercise  bool
	Title     string
	Body      string
	Name      string
	Word      string
	Responses []string
	Done      string // the recorded response, when acked
	Open      bool   // the response buttons are shown
	Message   string
}

// ackTarget checks the link and loads what it points at.
func (s *Server) ackTarget(w http.ResponseWriter, r *http.Request) (*bulletinView, int64, int32, bool) {
	id, err := s.parseLink(ackPurpose, r.PathValue("token"))
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, errLinkExpired) {
			status = http.StatusGone
		}
		s.errorPage(w, r, status, err.Error())
		return nil, 0, 0, false
	}
	b, idx, seq := store.SplitAttemptID(id)
	v, err := s.view(r.Context(), b)
	if err != nil || seq >= store.CallListSeq {
		s.errorPage(w, r, http.StatusNotFound, errLinkBad.Error())
		return nil, 0, 0, false
	}
	return v, id, idx, true
}

func (s *Server) ackData(v *bulletinView, idx int32, token string) ackData {
	p := v.person(idx)
	return ackData{Token: token, Exercise: v.Bulletin.Status == "exercise", Title: v.Bulletin.Title, Body: v.Bulletin.Body,
		Name: p.Name, Word: p.Word, Responses: v.Spec.Responses}
}

func (s *Server) ackPage(w http.ResponseWriter, r *http.Request) {
	v, _, idx, ok := s.ackTarget(w, r)
	if !ok {
		return
	}
	d := s.ackData(v, idx, r.PathValue("token"))
	rec, err := s.recipient(r.Context(), v.Bulletin.ID, idx)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, errLinkBad.Error())
		return
	}
	switch st := cascade.State(rec.State); st {
	case cascade.Acked:
		d.Done = v.responseText(int(rec.Response))
	case cascade.Cancelled:
		d.Message = "This message was withdrawn: nothing to confirm."
	}
	d.Open = d.Done == "" && d.Message == ""
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, http.StatusOK, "ack", pageData{Title: v.Bulletin.Title, Data: d, Bare: true})
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	v, attempt, idx, ok := s.ackTarget(w, r)
	if !ok {
		return
	}
	d := s.ackData(v, idx, r.PathValue("token"))
	n, err := strconv.Atoi(formValue(r, "response"))
	if err != nil || n < 1 || n > len(v.Spec.Responses) {
		d.Message, d.Open = "Choose one of the answers below.", true
		s.render(w, http.StatusBadRequest, "ack", pageData{Title: v.Bulletin.Title, Data: d, Bare: true})
		return
	}
	out, err := s.acks.submit(r.Context(), &ackRequest{attempt: attempt, response: n})
	status := http.StatusOK
	switch {
	case err != nil || out == ackFailed:
		status, d.Message, d.Open = http.StatusServiceUnavailable, "Your answer could not be recorded just now: please try again in a minute.", true
		w.Header().Set("Retry-After", "30")
	case out == ackAlready:
		status, d.Message = http.StatusConflict, "This link was already used: your confirmation is on record."
	case out == ackCancelled:
		status, d.Message = http.StatusGone, "This message was withdrawn: nothing to confirm."
	case out == ackUnknown:
		status, d.Message = http.StatusNotFound, errLinkBad.Error()
	default:
		d.Done = v.responseText(n)
	}
	s.render(w, status, "ack", pageData{Title: v.Bulletin.Title, Data: d, Bare: true})
}
