package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/store"
)

const loginCookie = "pt_login" // the login form's pre-session CSRF cookie

func (s *Server) loginRoutes() {
	s.mux.HandleFunc("GET /login", s.loginForm)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("GET /login/link/{token}", s.loginByLink)
	s.mux.HandleFunc("POST /logout", s.page(auth.Read, s.logout))
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: !s.cfg.Insecure, SameSite: http.SameSiteStrictMode})
}

type loginData struct {
	CSRF, Next, Name, Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	pre := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 20 {
		pre = c.Value
	} else {
		pre, _, _ = auth.NewSecret("", 18)
		s.setCookie(w, loginCookie, pre, time.Hour)
	}
	d.CSRF = s.csrfToken([]byte("login " + pre))
	s.render(w, status, "login", pageData{Title: "Log in", Data: d})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(formValue(r, "name"))
	d := loginData{Next: safeNext(formValue(r, "next")), Name: name}
	c, err := r.Cookie(loginCookie)
	if err != nil || !s.checkCSRF([]byte("login "+c.Value), formValue(r, "csrf")) {
		d.Error = "This form has expired: please try again."
		s.renderLogin(w, r, http.StatusForbidden, d)
		return
	}
	now := s.cfg.Clock.Now()
	keys := []string{"user " + strings.ToLower(name), "ip " + clientIP(r)}
	for _, k := range keys {
		if wait := s.throttle.Wait(k, now); wait > 0 {
			w.Header().Set("Retry-After", itoa(int64(wait.Seconds()+1)))
			d.Error = fmt.Sprintf("Too many failed logins: try again in %d seconds.", int(wait.Seconds()+1))
			s.renderLogin(w, r, http.StatusTooManyRequests, d)
			return
		}
	}
	u, err := s.checkLogin(r, name, formValue(r, "password"), formValue(r, "code"), now)
	if err != nil {
		if !errors.Is(err, errBadLogin) {
			s.cfg.Log.Error("login", "err", err)
		}
		for _, k := range keys {
			s.throttle.Fail(k, now)
		}
		s.cfg.Log.Warn("login failed", "name", name, "ip", clientIP(r))
		d.Error = "Wrong name, password or code."
		s.renderLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	for _, k := range keys {
		s.throttle.Succeed(k)
	}
	if err := s.startSession(w, r, u); err != nil {
		s.cfg.Log.Error("start session", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "Could not start a session; see the server log.")
		return
	}
	s.cfg.Log.Info("login", "user", u.Name, "role", u.Role, "ip", clientIP(r))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

var errBadLogin = errors.New("bad login")

// checkLogin verifies the password and the one-time code, refusing a code
// already used.
func (s *Server) checkLogin(r *http.Request, name, password, code string, now time.Time) (*store.User, error) {
	u, err := s.cfg.Store.UserByName(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadLogin
	} else if err != nil {
		return nil, err
	}
	s.argon <- struct{}{}
	err = auth.CheckPassword(u.PasswordHash, password)
	<-s.argon
	if err != nil || u.Disabled {
		return nil, errBadLogin
	}
	secret, err := s.cfg.Key.Open(u.TOTPSealed, totpAD(u.Name))
	if err != nil {
		return nil, err
	}
	step, ok := auth.CheckTOTP(secret, code, now)
	if !ok {
		return nil, errBadLogin
	}
	if fresh, err := s.cfg.Store.UseTOTPStep(r.Context(), u.ID, step); err != nil || !fresh {
		return nil, errors.Join(errBadLogin, err)
	}
	return u, nil
}

// totpAD binds a sealed TOTP secret to its user.
func totpAD(name string) []byte { return []byte("totp " + name) }

// TOTPAD is the associated data a user's TOTP secret is sealed with.
func TOTPAD(name string) []byte { return totpAD(name) }

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	secret, hash, err := auth.NewSecret("", 32)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	if err := s.cfg.Store.AddSession(r.Context(), &store.Session{Hash: hash, User: u.ID, CreatedAt: now.UnixNano(),
		ExpiresAt: now.Add(s.cfg.SessionTTL).UnixNano()}); err != nil {
		return err
	}
	s.setCookie(w, s.sessionCookie(), secret, s.cfg.SessionTTL)
	s.setCookie(w, loginCookie, "", -time.Second)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := s.cfg.Store.DeleteSession(r.Context(), p.Session); err != nil {
		s.cfg.Log.Error("logout", "err", err)
	}
	s.setCookie(w, s.sessionCookie(), "", -time.Second)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
