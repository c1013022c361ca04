package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"phonetree/internal/auth"
)

func TestFormsWithoutCSRFTokenFail(t *testing.T) {
	h := newHarness(t, 40)
	b := h.send("broadcast")
	h.eng.OpenCallTask(context.Background(), b.ID, 9, 0)
	admin := h.addUser("admin", auth.Admin)
	br := h.login(admin)
	good := h.csrfOf(br, "/send")
	tampered := good[:len(good)-1] + "x"
	if tampered == good { // the token already ended in x: change it for real
		tampered = good[:len(good)-1] + "y"
	}
	forms := []struct {
		path string
		form url.Values
	}{
		{"/send", url.Values{"title": {"Forged"}, "status": {"exercise"}, "mode": {"broadcast"}}},
		{"/bulletins/1/cancel", url.Values{}},
		{"/bulletins/1/call-tasks", url.Values{"person": {"E000004"}}},
		{"/bulletins/1/call-tasks/1/done", url.Values{"reached": {"true"}}},
		{"/logout", url.Values{}},
	}
	for _, f := range forms {
		for _, token := range []string{"", "forged", tampered} {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			if token != "" {
				form.Set("csrf", token)
			}
			res, _ := h.postForm(br, f.path, form)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with csrf %q: %d, want 403", f.path, token, res.StatusCode)
			}
		}
	}
	bs, _ := h.st.Bulletins(context.Background())
	tasks, _ := h.st.CallTasks(context.Background(), b.ID)
	if len(bs) != 1 || bs[0].State != "running" || len(tasks) != 1 || tasks[0].State != "open" {
		t.Fatalf("forged forms changed something: %d bulletins (%s), %d call tasks", len(bs), bs[0].State, len(tasks))
	}
	// The session still works (logout was refused), and a form with the token works.
	res, _ := h.postForm(br, "/bulletins/1/call-tasks", url.Values{"csrf": {good}, "person": {"E000004"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form with the token: %d, want 303", res.StatusCode)
	}
	// The API from a browser session needs the X-CSRF-Token header.
	res, _ = h.do(br, "POST", "/api/v1/bulletins", "application/json", strings.NewReader(`{"title":"x"}`))
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("API POST by session without X-CSRF-Token: %d, want 403", res.StatusCode)
	}
	res, _ = h.do(br, "POST", "/api/v1/bulletins/1/call-tasks", "application/json", strings.NewReader(`{"person":"E000003"}`), "X-CSRF-Token", good)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("API POST by session with X-CSRF-Token: %d, want 201", res.StatusCode)
	}
	// Another session's token is not this one's.
	other := h.login(admin)
	res, _ = h.postForm(other, "/bulletins/1/cancel", url.Values{"csrf": {good}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("another session's token: %d, want 403", res.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t, 0)
	u := h.addUser("ana", auth.Commander)
	c := h.browser()
	csrf := h.csrfOf(c, "/login")
	code := auth.TOTPCode(u.secret, auth.TOTPStep(h.wall.Now()))
	try := func(password, code string) int {
		res, _ := h.postForm(c, "/login", url.Values{"csrf": {csrf}, "name": {"ana"}, "password": {password}, "code": {code}})
		return res.StatusCode
	}
	if s := try("wrong password!", code); s != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", s)
	}
	if s := try(u.password, "000000"); s != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", s)
	}
	res, _ := h.postForm(h.browser(), "/login", url.Values{"name": {"ana"}, "password": {u.password}, "code": {code}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("login without CSRF token: %d, want 403", res.StatusCode)
	}
	res, _ = h.postForm(c, "/login", url.Values{"csrf": {csrf}, "name": {"ana"}, "password": {u.password}, "code": {code}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("right login: %d", res.StatusCode)
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "pt_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict", session)
	}
	// The same code again (a replay) fails even with the right password.
	c2 := h.browser()
	res, _ = h.postForm(c2, "/login", url.Values{"csrf": {h.csrfOf(c2, "/login")}, "name": {"ana"}, "password": {u.password}, "code": {code}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d, want 401", res.StatusCode)
	}
	// Throttling: after 5 failures, even the right answer must wait.
	c = h.browser()
	csrf = h.csrfOf(c, "/login")
	for range 5 {
		try("wrong password!", code)
	}
	if s := try(u.password, auth.TOTPCode(u.secret, auth.TOTPStep(h.wall.Now())+1)); s != http.StatusTooManyRequests {
		t.Fatalf("after 7 failures: %d, want 429", s)
	}
	h.wall.Advance(15 * time.Minute)
	if s := try(u.password, auth.TOTPCode(u.secret, auth.TOTPStep(h.wall.Now()))); s != http.StatusSeeOther {
		t.Fatalf("after the wait: %d, want 303", s)
	}
}

func TestSecureCookiesUnlessInsecureDev(t *testing.T) {
	h := newHarness(t, 0)
	h.srv.cfg.Insecure = false
	rec := httptestRecorder()
	h.srv.setCookie(rec, h.srv.sessionCookie(), "v", time.Hour)
	got := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-pt_session=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(got, want) {
			t.Errorf("Set-Cookie %q lacks %q", got, want)
		}
	}
}
