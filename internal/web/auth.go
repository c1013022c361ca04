package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"phonetree/internal/auth"
	"phonetree/internal/store"
)

// principal is who is making a request.
type principal struct {
	User    *store.User
	Role    auth.Role
	Session []byte // the session's hash; nil for an API token
}

// handler is a route that needs a principal.
type handler func(w http.ResponseWriter, r *http.Request, p *principal)

func (s *Server) sessionCookie() string {
	if s.cfg.Insecure {
		return "pt_session"
	}
	return "__Host-pt_session" // only ever sent over HTTPS, for this host and path /
}

// authenticate finds the principal from an API token or a session cookie;
// nil if neither is present and valid.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	ctx, now := r.Context(), s.cfg.Clock.Now().UnixNano()
	var userID int64
	var session []byte
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, nil
		}
		t, err := s.cfg.Store.Token(ctx, auth.HashSecret(strings.TrimSpace(tok)), now)
		if err != nil {
			return nil, notFoundIsNil(err)
		}
		userID = t.User
	} else if c, err := r.Cookie(s.sessionCookie()); err == nil {
		session = auth.HashSecret(c.Value)
		se, err := s.cfg.Store.Session(ctx, session, now)
		if err != nil {
			return nil, notFoundIsNil(err)
		}
		userID = se.User
	} else {
		return nil, nil
	}
	u, err := s.cfg.Store.User(ctx, userID)
	if err != nil {
		return nil, notFoundIsNil(err)
	}
	if u.Disabled {
		return nil, nil
	}
	return &principal{User: u, Role: auth.Role(u.Role), Session: session}, nil
}

func notFoundIsNil(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// api wraps an API route: it needs a principal whose role has perm; a
// browser session changing something must also send X-CSRF-Token.
func (s *Server) api(perm auth.Permission, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		switch {
		case err != nil:
			s.cfg.Log.Error("authenticate", "err", err)
			writeError(w, err)
		case p == nil:
			writeError(w, errUnauthorized)
		case !p.Role.Can(perm):
			writeError(w, errForbidden(perm.String()))
		case p.Session != nil && unsafeMethod(r.Method) && !s.checkCSRF(p.Session, r.Header.Get("X-CSRF-Token")):
			writeError(w, errCSRF)
		default:
			h(w, r, p)
		}
	}
}

// page wraps a dashboard route: without a session it sends the browser to
// the login page; a form must carry the session's CSRF token.
func (s *Server) page(perm auth.Permission, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		switch {
		case err != nil:
			s.cfg.Log.Error("authenticate", "err", err)
			s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong; see the server log.")
		case p == nil && !unsafeMethod(r.Method):
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case p == nil:
			s.errorPage(w, r, http.StatusUnauthorized, "Your session has ended: log in again.")
		case !p.Role.Can(perm):
			s.errorPage(w, r, http.StatusForbidden, "Your role ("+string(p.Role)+") may not "+perm.String()+".")
		case unsafeMethod(r.Method) && p.Session == nil:
			s.errorPage(w, r, http.StatusForbidden, "Forms need a browser session.")
		case unsafeMethod(r.Method) && !s.checkCSRF(p.Session, formValue(r, "csrf")):
			s.errorPage(w, r, http.StatusForbidden, "This form has expired or did not come from phonetree: reload the page and try again.")
		default:
			h(w, r, p)
		}
	}
}

// formValue reads a form field, bounding the body.
func formValue(r *http.Request, name string) string {
	if r.Form == nil {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return ""
		}
	}
	return r.PostFormValue(name)
}

// csrfLen is the length of a CSRF token's MAC in bytes.
const csrfLen = 18

// csrfToken is the CSRF token of a session (or of a login form's pre-session
// cookie): a MAC of it, so the server keeps nothing more.
func (s *Server) csrfToken(session []byte) string {
	return base64.RawURLEncoding.EncodeToString(s.cfg.Key.MAC("csrf", session)[:csrfLen])
}

// checkCSRF accepts a token made with the current key or, after a key
// rotation, a previous one.
func (s *Server) checkCSRF(session []byte, got string) bool {
	tag, err := base64.RawURLEncoding.DecodeString(got)
	return err == nil && len(tag) == csrfLen && s.cfg.Key.VerifyMAC("csrf", session, tag)
}
