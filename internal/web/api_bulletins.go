package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"phonetree/internal/auth"
	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/store"
)

func (s *Server) apiBulletinRoutes() {
	s.mux.HandleFunc("GET /api/v1/incidents", s.api(auth.Read, s.apiIncidents))
	s.mux.HandleFunc("GET /api/v1/incidents/{id}", s.api(auth.Read, s.apiIncident))
	s.mux.HandleFunc("GET /api/v1/bulletins", s.api(auth.Read, s.apiBulletins))
	s.mux.HandleFunc("POST /api/v1/bulletins", s.api(auth.Send, s.apiSend))
	s.mux.HandleFunc("GET /api/v1/bulletins/{id}", s.api(auth.Read, s.apiBulletin))
	s.mux.HandleFunc("POST /api/v1/bulletins/{id}/cancel", s.api(auth.Send, s.apiCancel))
	s.mux.HandleFunc("GET /api/v1/bulletins/{id}/status", s.api(auth.Read, s.apiStatus))
	s.mux.HandleFunc("GET /api/v1/approvals", s.api(auth.Read, s.apiApprovals))
	s.mux.HandleFunc("POST /api/v1/approvals/{id}/approve", s.api(auth.Approve, s.apiApprove))
	s.mux.HandleFunc("GET /approvals", s.page(auth.Read, s.approvalsPage))
	s.mux.HandleFunc("POST /approvals/{id}/approve", s.page(auth.Approve, s.approveForm))
}

type bulletinJSON struct {
	ID            int64    `json:"id"`
	Incident      int64    `json:"incident"`
	Kind          string   `json:"kind"`
	Status        string   `json:"status"`
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	Short         string   `json:"short,omitempty"`
	Script        string   `json:"script,omitempty"`
	Mode          string   `json:"mode"`
	Responses     []string `json:"responses"`
	Audience      []string `json:"audience,omitempty"`
	State         string   `json:"state"`
	Recipients    int      `json:"recipients"`
	RosterVersion int64    `json:"roster_version"`
	CreatedAt     int64    `json:"created_unix_nano"`
}

func toBulletinJSON(b store.Bulletin) bulletinJSON {
	var spec engine.Spec
	json.Unmarshal([]byte(b.Policy), &spec)
	return bulletinJSON{ID: b.ID, Incident: b.Incident, Kind: b.Kind, Status: b.Status, Title: b.Title, Body: b.Body,
		Short: spec.Short, Script: spec.Script, Mode: b.Mode, Responses: spec.Responses, Audience: spec.Audience,
		State: b.State, Recipients: b.Recipients, RosterVersion: b.RosterVersion, CreatedAt: b.CreatedAt}
}

type incidentJSON struct {
	ID        int64          `json:"id"`
	Title     string         `json:"title"`
	State     string         `json:"state"` // running if any bulletin runs
	Bulletins []bulletinJSON `json:"bulletins"`
}

// incidents groups bulletins (newest first) into incidents, newest first.
func incidents(bs []store.Bulletin) []incidentJSON {
	var out []incidentJSON
	at := map[int64]int{}
	for _, b := range bs {
		k, ok := at[b.Incident]
		if !ok {
			k = len(out)
			at[b.Incident] = k
			out = append(out, incidentJSON{ID: b.Incident, State: "closed"})
		}
		in := &out[k]
		in.Bulletins = append(in.Bulletins, toBulletinJSON(b))
		in.Title = b.Title // the oldest bulletin names the incident
		if b.State == "running" {
			in.State = "running"
		}
	}
	return out
}

func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request, p *principal) {
	bs, err := s.cfg.Store.Bulletins(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": append([]incidentJSON{}, incidents(bs)...)})
}

func (s *Server) apiIncident(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	bs, err := s.cfg.Store.Bulletins(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	for _, in := range incidents(bs) {
		if in.ID == id {
			writeJSON(w, http.StatusOK, in)
			return
		}
	}
	writeError(w, errNotFound("incident "+itoa(id)+": not found"))
}

func (s *Server) apiBulletins(w http.ResponseWriter, r *http.Request, p *principal) {
	bs, err := s.cfg.Store.Bulletins(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	out := []bulletinJSON{}
	for _, b := range bs {
		out = append(out, toBulletinJSON(b))
	}
	writeJSON(w, http.StatusOK, map[string]any{"bulletins": out})
}

func (s *Server) apiBulletin(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := s.cfg.Store.Bulletin(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toBulletinJSON(*b))
}

// sendRequest is a bulletin to send, as the API and the send form take it.
type sendRequest struct {
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Short     string   `json:"short"`
	Script    string   `json:"script"`
	Mode      string   `json:"mode"`
	Status    string   `json:"status"`
	Kind      string   `json:"kind"`
	Incident  int64    `json:"incident"`
	Audience  []string `json:"audience"`
	Responses []string `json:"responses"`
	// BreakGlass is an admin's reason for sending an actual bulletin
	// without a second operator's approval; it is loudly audited.
	BreakGlass string `json:"break_glass"`
}

func (s *Server) apiSend(w http.ResponseWriter, r *http.Request, p *principal) {
	var req sendRequest
	if aerr := s.decodeJSON(w, r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := s.send(r, p, req)
	var held *engine.NeedsApproval
	if errors.As(err, &held) {
		w.Header().Set("Location", "/api/v1/approvals/"+itoa(held.Request))
		writeJSON(w, http.StatusAccepted, map[string]any{"approval": map[string]any{"id": held.Request,
			"state": "awaiting approval", "recipients": held.Recipients, "message": held.Error()}})
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bulletins/"+itoa(b.ID))
	writeJSON(w, http.StatusCreated, toBulletinJSON(*b))
}

// send validates a bulletin and sends it.
func (s *Server) send(r *http.Request, p *principal, req sendRequest) (*store.Bulletin, error) {
	in, err := s.validateSend(r, req)
	if err != nil {
		return nil, err
	}
	in.Actor = actor(p)
	if in.BreakGlass = strings.TrimSpace(req.BreakGlass); in.BreakGlass != "" && p.User.Role != string(auth.Admin) {
		return nil, &apiError{Status: http.StatusForbidden, Code: "forbidden", Field: "break_glass", Message: "break-glass needs the admin role"}
	}
	b, err := s.cfg.Engine.Send(r.Context(), in)
	var held *engine.NeedsApproval
	switch {
	case errors.As(err, &held):
		s.cfg.Log.Info("bulletin held for approval", "request", held.Request, "recipients", held.Recipients, "by", p.User.Name)
		return nil, err
	case errors.Is(err, engine.ErrNoRoster):
		return nil, errConflict("no_roster", err.Error())
	case err != nil && strings.HasPrefix(err.Error(), "audience: "):
		return nil, errInvalid("audience", "%v", err)
	case err != nil:
		s.cfg.Log.Error("send", "err", err)
		return nil, err
	}
	s.cfg.Log.Info("bulletin sent", "bulletin", b.ID, "incident", b.Incident, "status", b.Status, "mode", b.Mode,
		"recipients", b.Recipients, "by", p.User.Name)
	return b, nil
}

func (s *Server) validateSend(r *http.Request, req sendRequest) (engine.Bulletin, error) {
	var zero engine.Bulletin
	req.Title, req.Mode = strings.TrimSpace(req.Title), strings.ToLower(strings.TrimSpace(req.Mode))
	for _, f := range []struct {
		name, v string
		max     int
	}{{"title", req.Title, 200}, {"body", req.Body, 5000}, {"short", req.Short, 1000}, {"script", req.Script, 5000}} {
		if len(f.v) > f.max {
			return zero, errInvalid(f.name, "%s: at most %d characters", f.name, f.max)
		}
	}
	if req.Title == "" {
		return zero, errInvalid("title", "title: required")
	}
	if req.Mode == "" {
		req.Mode = "broadcast"
	}
	mode, err := cascade.ParseMode(req.Mode)
	if err != nil {
		return zero, errInvalid("mode", "mode: %v", err)
	}
	if req.Status != "" && req.Status != "actual" && req.Status != "exercise" {
		return zero, errInvalid("status", "status: %q is not actual or exercise", req.Status)
	}
	if req.Kind != "" && req.Kind != "alert" && req.Kind != "update" && req.Kind != "cancel" {
		return zero, errInvalid("kind", "kind: %q is not alert, update or cancel", req.Kind)
	}
	if len(req.Responses) > 9 {
		return zero, errInvalid("responses", "responses: at most 9 options (one digit each)")
	}
	for i, o := range req.Responses {
		if o = strings.TrimSpace(o); o == "" || len(o) > 40 {
			return zero, errInvalid("responses", "responses[%d]: 1 to 40 characters", i)
		}
	}
	audience, err := s.incidentAudience(r, req)
	if err != nil {
		return zero, err
	}
	return engine.Bulletin{Incident: req.Incident, Kind: req.Kind, Status: req.Status, Title: req.Title, Body: req.Body,
		Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode), Short: req.Short, Script: req.Script,
			Responses: req.Responses, Audience: audience}}, nil
}

// incidentAudience checks the incident and, for an update or all-clear sent
// without an audience, takes the audience of the incident's first bulletin.
func (s *Server) incidentAudience(r *http.Request, req sendRequest) ([]string, error) {
	if req.Incident == 0 {
		if req.Kind == "update" || req.Kind == "cancel" {
			return nil, errInvalid("incident", "incident: required for an update or an all-clear")
		}
		return req.Audience, nil
	}
	bs, err := s.cfg.Store.Bulletins(r.Context())
	if err != nil {
		return nil, err
	}
	var first *store.Bulletin
	for i := range bs {
		if bs[i].Incident == req.Incident {
			first = &bs[i]
		}
	}
	if first == nil {
		return nil, errInvalid("incident", "incident: %d does not exist", req.Incident)
	}
	if len(req.Audience) > 0 {
		return req.Audience, nil
	}
	return toBulletinJSON(*first).Audience, nil
}

func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := s.cfg.Store.Bulletin(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	if b.State != "running" {
		writeError(w, errConflict("not_running", "bulletin "+itoa(id)+" is "+b.State+", not running"))
		return
	}
	if err := s.cfg.Engine.CancelBy(r.Context(), id, actor(p)); err != nil {
		writeError(w, err)
		return
	}
	s.snaps.invalidate(id)
	s.cfg.Log.Info("bulletin cancelled", "bulletin", id, "by", p.User.Name)
	b, err = s.cfg.Store.Bulletin(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toBulletinJSON(*b))
}
