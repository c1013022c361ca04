package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"phonetree/internal/auth"
	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

func (s *Server) apiRosterRoutes() {
	s.mux.HandleFunc("POST /api/v1/roster", s.api(auth.ManageRoster, s.apiImportRoster))
	s.mux.HandleFunc("GET /api/v1/roster/versions", s.api(auth.Read, s.apiRosterVersions))
	s.mux.HandleFunc("GET /api/v1/roster/versions/{id}", s.api(auth.Read, s.apiRosterVersion))
	s.mux.HandleFunc("GET /api/v1/tree", s.api(auth.Read, s.apiTree))
}

// importMu serialises roster imports: each is compared with the one before.
var importMu sync.Mutex

type versionJSON struct {
	ID        int64   `json:"id"`
	CreatedAt int64   `json:"created_unix_nano"`
	People    int     `json:"people"`
	Diff      string  `json:"diff,omitempty"`
	Lint      string  `json:"lint,omitempty"`
	Unchanged bool    `json:"unchanged,omitempty"`
	Warnings  []issue `json:"warnings,omitempty"`
}

// apiImportRoster imports a roster CSV (the body as text/csv, or the field
// "file" of a multipart form). With ?check=true it only lints. A roster with
// any error is refused whole: 422 with every issue, each with its line.
func (s *Server) apiImportRoster(w http.ResponseWriter, r *http.Request, p *principal) {
	q := r.URL.Query()
	opt := roster.Options{Region: q.Get("region"), IgnoreUnknown: q.Get("ignore_unknown") == "true"}
	body, aerr := s.csvBody(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ros, rep, err := roster.Parse(body, opt)
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			writeError(w, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("roster larger than %d bytes", s.cfg.MaxCSV)})
			return
		}
		writeError(w, errInvalid("header", "%v", err))
		return
	}
	if !rep.OK() {
		first := rep.Errors[0]
		ae := errInvalid(first.Field, "%d errors, %d warnings; nothing imported (first: %s)", len(rep.Errors), len(rep.Warnings), first)
		ae.Issues = issues(rep.Errors, 1000)
		writeError(w, ae)
		return
	}
	if q.Get("check") == "true" {
		writeJSON(w, http.StatusOK, versionJSON{People: len(ros.People), Warnings: issues(rep.Warnings, 1000)})
		return
	}
	importMu.Lock()
	defer importMu.Unlock()
	prev, prevV, err := engine.LoadRoster(r.Context(), s.cfg.Store, s.cfg.Key, 0)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		writeError(w, err)
		return
	}
	diff := roster.Compare(prev, ros)
	if prev != nil && diff.Empty() {
		writeJSON(w, http.StatusOK, versionJSON{ID: prevV.ID, CreatedAt: prevV.CreatedAt, People: prevV.People, Unchanged: true})
		return
	}
	var diffText, lintText strings.Builder
	diff.WriteText(&diffText)
	rep.WriteText(&lintText)
	v := &store.RosterVersion{CreatedAt: s.cfg.Clock.Now().UnixNano(), Diff: diffText.String(), Lint: lintText.String()}
	if err := engine.SaveRoster(r.Context(), s.cfg.Store, s.cfg.Key, ros, v); err != nil {
		s.cfg.Log.Error("save roster", "err", err)
		writeError(w, err)
		return
	}
	s.cfg.Log.Info("roster imported", "version", v.ID, "people", v.People, "by", p.User.Name)
	writeJSON(w, http.StatusCreated, versionJSON{ID: v.ID, CreatedAt: v.CreatedAt, People: v.People, Diff: v.Diff, Lint: v.Lint,
		Warnings: issues(rep.Warnings, 1000)})
}

// csvBody returns the uploaded CSV, bounded by MaxCSV.
func (s *Server) csvBody(w http.ResponseWriter, r *http.Request) (io.Reader, *apiError) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxCSV)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "text/csv", "text/plain", "application/octet-stream", "":
		return r.Body, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, errBadRequest("file", "multipart: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, errBadRequest("file", "multipart form without a \"file\" field")
			}
			if part.FormName() == "file" {
				return part, nil
			}
		}
	}
	return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Field: "Content-Type",
		Message: fmt.Sprintf("Content-Type %q: want text/csv or multipart/form-data", mt)}
}

func issues(is []roster.Issue, limit int) []issue {
	var out []issue
	for i, x := range is {
		if i == limit {
			break
		}
		out = append(out, issue{Line: x.Line, ID: x.ID, Field: x.Field, Message: x.Message})
	}
	return out
}

func (s *Server) apiRosterVersions(w http.ResponseWriter, r *http.Request, p *principal) {
	vs, err := s.cfg.Store.RosterVersions(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	out := []versionJSON{}
	for _, v := range vs {
		out = append(out, versionJSON{ID: v.ID, CreatedAt: v.CreatedAt, People: v.People})
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": out})
}

func (s *Server) apiRosterVersion(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	v, err := s.cfg.Store.RosterVersion(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, versionJSON{ID: v.ID, CreatedAt: v.CreatedAt, People: v.People, Diff: v.Diff, Lint: v.Lint})
}

type nodeJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Size     int32      `json:"size"` // people in the branch, this person included
	Children []nodeJSON `json:"children,omitempty"`
	More     int        `json:"more_callees,omitempty"` // callees not shown (depth reached)
}

// apiTree shows the call tree of a roster version (?version, default the
// latest), from ?root (default every root), ?depth levels deep (default 2, 0 all).
func (s *Server) apiTree(w http.ResponseWriter, r *http.Request, p *principal) {
	q := r.URL.Query()
	depth, err := strconv.Atoi(q.Get("depth"))
	if q.Get("depth") == "" {
		depth, err = 2, nil
	}
	version, err2 := strconv.ParseInt(q.Get("version"), 10, 64)
	switch {
	case err != nil || depth < 0:
		writeError(w, errBadRequest("depth", "depth: %q is not a number of levels", q.Get("depth")))
		return
	case q.Get("version") != "" && (err2 != nil || version <= 0):
		writeError(w, errBadRequest("version", "version: %q is not a roster version", q.Get("version")))
		return
	}
	ros, v, err := engine.LoadRoster(r.Context(), s.cfg.Store, s.cfg.Key, version)
	if err != nil {
		writeError(w, err)
		return
	}
	t := ros.Tree()
	roots := t.Roots
	if id := q.Get("root"); id != "" {
		i, ok := ros.Index(id)
		if !ok {
			writeError(w, errInvalid("root", "root: unknown id %q", id))
			return
		}
		roots = []int32{int32(i)}
	}
	var build func(i int32, d int) nodeJSON
	build = func(i int32, d int) nodeJSON {
		n := nodeJSON{ID: ros.People[i].ID, Name: ros.People[i].Name, Size: t.Size[i]}
		if depth > 0 && d >= depth {
			n.More = len(t.Children[i])
			return n
		}
		for _, c := range t.Children[i] {
			n.Children = append(n.Children, build(c, d+1))
		}
		return n
	}
	out := []nodeJSON{}
	for _, i := range roots {
		out = append(out, build(i, 1))
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": v.ID, "roots": out})
}
