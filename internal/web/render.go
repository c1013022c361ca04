package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// pageData is what every page template gets.
type pageData struct {
	Title string
	User  *principal
	CSRF  string
	Data  any
	Bare  bool // no navigation (ack and caller pages)
	// Fingerprint is the signing key's, shown to operators so they can
	// check it against the call sheets.
	Fingerprint string
}

var funcs = template.FuncMap{
	"pct": func(a, b int) string {
		if b == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	},
	"add":  func(a, b int) int { return a + b },
	"tel":  func(n string) template.URL { return template.URL("tel:" + strings.ReplaceAll(n, " ", "")) },
	"ago":  ago,
	"join": strings.Join,
	"int":  func(n int32) int { return int(n) },
	"list": func() []string {
		return []string{"pending", "contacting", "waiting", "acked", "unreached", "cancelled"}
	},
	"modes": func() []string { return []string{"broadcast", "cascade", "relay"} },
	"kinds": func() []string { return []string{"alert", "update", "cancel"} },
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "fragments" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/fragments.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page; a template error is a 500, never half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if d.User != nil {
		d.Fingerprint = s.cfg.Engine.Fingerprint(context.Background())
	}
	t := s.pages[name]
	if t == nil {
		s.cfg.Log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.cfg.Log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderFor renders a page for a logged-in operator (with the CSRF token
// that the page's forms carry).
func (s *Server) renderFor(w http.ResponseWriter, p *principal, status int, name, title string, data any) {
	d := pageData{Title: title, User: p, Data: data}
	if p != nil && p.Session != nil {
		d.CSRF = s.csrfToken(p.Session)
	}
	s.render(w, status, name, d)
}

// fragment renders a named fragment (fragments.html) to HTML.
func (s *Server) fragment(name string, data any) (string, error) {
	var buf bytes.Buffer
	err := s.pages["error"].ExecuteTemplate(&buf, name, data)
	return buf.String(), err
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, status, "error", pageData{Title: http.StatusText(status), Data: msg, Bare: true})
}
