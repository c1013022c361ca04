package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"phonetree/internal/engine"
	"phonetree/internal/store"
)

// actor names an operator in the audit log and in approvals.
func actor(p *principal) string { return "user:" + p.User.Name }

type approvalJSON struct {
	ID         int64  `json:"id"`
	Requester  string `json:"requester"`
	Recipients int    `json:"recipients"`
	State      string `json:"state"`
	DecidedBy  string `json:"decided_by,omitempty"`
	Bulletin   int64  `json:"bulletin,omitempty"`
	CreatedAt  int64  `json:"created_unix_nano"`
}

func (s *Server) apiApprovals(w http.ResponseWriter, r *http.Request, p *principal) {
	rs, err := s.cfg.Engine.SendRequests(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	out := []approvalJSON{}
	for _, q := range rs {
		out = append(out, approvalJSON{ID: q.ID, Requester: q.Requester, Recipients: q.Recipients, State: q.State,
			DecidedBy: q.DecidedBy, Bulletin: q.Bulletin, CreatedAt: q.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": out})
}

// apiApprove sends a held bulletin on a second operator's approval.
func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, errNotFound("no such approval request"))
		return
	}
	b, err := s.cfg.Engine.Approve(r.Context(), id, actor(p))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, errNotFound("no such approval request"))
	case errors.Is(err, engine.ErrSelfApproval):
		writeError(w, &apiError{Status: http.StatusForbidden, Code: "self_approval", Message: err.Error()})
	case errors.Is(err, engine.ErrDecided):
		writeError(w, errConflict("decided", err.Error()))
	case err != nil:
		writeError(w, err)
	default:
		s.cfg.Log.Info("bulletin approved", "request", id, "bulletin", b.ID, "by", p.User.Name)
		w.Header().Set("Location", "/api/v1/bulletins/"+itoa(b.ID))
		writeJSON(w, http.StatusCreated, toBulletinJSON(*b))
	}
}

// approvalRow is a held bulletin as the approvals page shows it.
type approvalRow struct {
	store.SendRequest
	Title string
}

func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request, p *principal) {
	rs, err := s.cfg.Engine.SendRequests(r.Context())
	if err != nil {
		s.cfg.Log.Error("approvals", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "Could not list approvals; see the server log.")
		return
	}
	rows := make([]approvalRow, len(rs))
	for i, q := range rs {
		var in engine.Bulletin
		json.Unmarshal([]byte(q.Request), &in)
		rows[i] = approvalRow{SendRequest: q, Title: in.Title}
	}
	s.renderFor(w, p, http.StatusOK, "approvals", "Approvals", rows)
}

// approveForm approves from the approvals page.
func (s *Server) approveForm(w http.ResponseWriter, r *http.Request, p *principal) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	b, err := s.cfg.Engine.Approve(r.Context(), id, actor(p))
	switch {
	case errors.Is(err, engine.ErrSelfApproval):
		s.errorPage(w, r, http.StatusForbidden, err.Error()+": another operator with the approver role must approve it.")
	case errors.Is(err, engine.ErrDecided), errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusConflict, "This request is not waiting for approval any more.")
	case err != nil:
		s.cfg.Log.Error("approve", "request", id, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "Could not send it; see the server log.")
	default:
		http.Redirect(w, r, "/bulletins/"+itoa(b.ID), http.StatusSeeOther)
	}
}
