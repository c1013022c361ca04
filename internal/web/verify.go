package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"phonetree/internal/store"
)

// verifyPage is public: anyone holding a message can check that the
// bulletin it claims to be is genuine and unchanged.
var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify bulletin {{.Bulletin}} · phonetree</title><link rel="stylesheet" href="/static/style.css"></head>
<body><main class="narrow">
<h1>Bulletin {{.Bulletin}}</h1>
{{if .Genuine}}<p class="verdict ok"><strong>Genuine.</strong> “{{.Title}}” was signed by this phonetree and has not been changed since.</p>
{{else}}<p class="verdict bad"><strong>Not genuine.</strong> {{.Reason}}</p>{{end}}
{{if .Fingerprint}}<p>Signing key fingerprint: <code>{{.Fingerprint}}</code>. It is printed on your call sheet: they must match.</p>{{end}}
<p>A genuine message to you always carries your anti-phishing word. A message without it is not from us.</p>
</main></body></html>`))

func (s *Server) verifyRoutes() {
	s.mux.HandleFunc("GET /verify/{id}", s.verify)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "no such bulletin", http.StatusNotFound)
		return
	}
	v, err := s.cfg.Engine.Verify(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no such bulletin", http.StatusNotFound)
		return
	} else if err != nil {
		s.cfg.Log.Error("verify", "bulletin", id, "err", err)
		http.Error(w, "could not verify", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !v.Genuine {
		w.WriteHeader(http.StatusConflict)
	}
	verifyPage.Execute(w, v)
}
