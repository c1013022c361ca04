package web

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/store"
)

// LoginLink returns a link that logs u in once, within ttl, with no
// password: `phonetree demo` prints one so a new user lands on the live
// dashboard. It is single use (remembered by this process) and signed.
func (s *Server) LoginLink(u *store.User, ttl time.Duration) string {
	nonce := make([]byte, 12)
	rand.Read(nonce)
	payload := fmt.Sprintf("%d.%d.%s", u.ID, s.cfg.Clock.Now().Add(ttl).Unix(), base64.RawURLEncoding.EncodeToString(nonce))
	mac := s.cfg.Key.MAC("login link", []byte(payload))[:16]
	return s.cfg.BaseURL + "/login/link/" + payload + "." + base64.RawURLEncoding.EncodeToString(mac)
}

// loginByLink serves GET /login/link/{token}.
func (s *Server) loginByLink(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		http.Error(w, "this login link is not valid", http.StatusNotFound)
		return
	}
	payload := token[:i]
	mac, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(mac) != 16 || !s.cfg.Key.VerifyMAC("login link", []byte(payload), mac) {
		http.Error(w, "this login link is not valid", http.StatusNotFound)
		return
	}
	parts := strings.Split(payload, ".")
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if len(parts) != 3 || err1 != nil || err2 != nil || s.cfg.Clock.Now().Unix() > exp {
		http.Error(w, "this login link has expired; log in with your password", http.StatusGone)
		return
	}
	if _, used := s.usedLinks.LoadOrStore(payload, true); used {
		http.Error(w, "this login link was used already; log in with your password", http.StatusGone)
		return
	}
	u, err := s.cfg.Store.User(r.Context(), id)
	if err != nil || u.Disabled {
		http.Error(w, "no such operator", http.StatusNotFound)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.cfg.Log.Error("login link", "err", err)
		http.Error(w, "could not log in", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
