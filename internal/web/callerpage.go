package web

import (
	"errors"
	"net/http"

	"phonetree/internal/cascade"
	"phonetree/internal/provider"
	"phonetree/internal/store"
)

// Caller pages are a relay caller's call list, reached from the link in
// their message: who to call (tap to call), what to read them, and a
// "reached" or "no answer" button per person. Like ack pages, the link is
// the only authority (see ackRoutes).
func (s *Server) callerRoutes() {
	s.mux.HandleFunc("GET /c/{token}", s.callerPage)
	s.mux.HandleFunc("POST /c/{token}", s.callerMark)
}

type callee struct {
	ID, Name, Number, State string
	Done                    bool
}

type callerData struct {
	Exercise bool
	Title    string
	Script   string
	Name     string
	Word     string
	Callees  []callee
	Message  string
}

func (s *Server) callerTarget(w http.ResponseWriter, r *http.Request) (*bulletinView, int32, bool) {
	id, err := s.parseLink(listPurpose, r.PathValue("token"))
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, errLinkExpired) {
			status = http.StatusGone
		}
		s.errorPage(w, r, status, err.Error())
		return nil, 0, false
	}
	b, idx, seq := store.SplitAttemptID(id)
	v, err := s.view(r.Context(), b)
	if err != nil || seq != store.CallListSeq {
		s.errorPage(w, r, http.StatusNotFound, errLinkBad.Error())
		return nil, 0, false
	}
	return v, idx, true
}

func (s *Server) callerPage(w http.ResponseWriter, r *http.Request) {
	v, idx, ok := s.callerTarget(w, r)
	if ok {
		s.renderCaller(w, r, v, idx, http.StatusOK, "")
	}
}

func (s *Server) renderCaller(w http.ResponseWriter, r *http.Request, v *bulletinView, idx int32, status int, msg string) {
	p := v.person(idx)
	d := callerData{Exercise: v.Bulletin.Status == "exercise", Title: v.Bulletin.Title, Script: script(v),
		Name: p.Name, Word: p.Word, Message: msg}
	kids := v.callees(idx)
	rs, err := s.cfg.Store.ReadRecipients(r.Context(), v.Bulletin.ID, kids)
	if err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "Could not read the call list; try again.")
		return
	}
	states := map[int32]cascade.State{}
	for _, rec := range rs {
		states[rec.Idx] = cascade.State(rec.State)
	}
	for _, c := range kids {
		cp := v.person(c)
		num := cp.Mobile
		if num == "" {
			num = cp.Voice
		}
		st := states[c]
		d.Callees = append(d.Callees, callee{ID: cp.ID, Name: cp.Name, Number: num, State: st.String(),
			Done: st == cascade.Acked || st == cascade.Cancelled})
	}
	s.render(w, status, "caller", pageData{Title: "Your call list", Data: d, Bare: true})
}

// script is what a caller reads out: the voice script, else the SMS text, else the body.
func script(v *bulletinView) string {
	for _, t := range []string{v.Spec.Script, v.Spec.Short, v.Bulletin.Body} {
		if t != "" {
			return t
		}
	}
	return v.Bulletin.Title
}

func (s *Server) callerMark(w http.ResponseWriter, r *http.Request) {
	v, idx, ok := s.callerTarget(w, r)
	if !ok {
		return
	}
	id := formValue(r, "callee")
	c, ok := v.Roster.Index(id)
	if !ok || v.Tree.Parent[c] != idx || !v.Member[c] {
		s.renderCaller(w, r, v, idx, http.StatusBadRequest, "That person is not on your list.")
		return
	}
	name := v.person(int32(c)).Name
	switch formValue(r, "outcome") {
	case "reached":
		err := s.cfg.Engine.Deliver(r.Context(), []provider.Report{{Kind: provider.Reached, Bulletin: v.Bulletin.ID,
			Recipient: int32(c), Source: "caller"}})
		if err != nil {
			s.cfg.Log.Error("caller mark", "err", err)
			s.renderCaller(w, r, v, idx, http.StatusServiceUnavailable, "Could not record that just now: try again.")
			return
		}
		s.metrics.Add("phonetree_acks_total", 1, "source", "caller")
		s.renderCaller(w, r, v, idx, http.StatusOK, "Recorded: "+name+" reached. Thank you.")
	case "no-answer":
		s.renderCaller(w, r, v, idx, http.StatusOK, "No answer from "+name+": try again in a few minutes. If nobody marks them reached, phonetree contacts them itself.")
	default:
		s.renderCaller(w, r, v, idx, http.StatusBadRequest, "Choose reached or no answer.")
	}
}
