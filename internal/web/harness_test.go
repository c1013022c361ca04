package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// quiet is a carrier that takes every message and never answers.
type quiet struct {
	mu   sync.Mutex
	sent []provider.Message
}

func (q *quiet) Name() string     { return "quiet" }
func (q *quiet) Idempotent() bool { return true }
func (q *quiet) Send(_ context.Context, m provider.Message) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent = append(q.sent, m)
	return m.Key, nil
}

// harness is a server on loopback over a fresh database, a quiet carrier,
// a fake engine clock and a fake wall clock.
type harness struct {
	t      *testing.T
	st     Backend
	key    *seal.Key
	eng    *engine.Engine
	clk    *clock.Fake // the engine's
	wall   *clock.Fake // sessions, links, throttling
	srv    *Server
	ts     *httptest.Server
	roster *roster.Roster
}

func newHarness(t *testing.T, people int) *harness {
	t.Helper()
	return newHarnessWith(t, people, nil)
}

// newHarnessWith is newHarness with the engine's configuration adjusted by tune.
func newHarnessWith(t *testing.T, people int, tune func(*engine.Config)) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pt.db"))
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessOn(t, st, people, tune)
}

// newHarnessOn is newHarnessWith on the store st, which it closes at the end.
func newHarnessOn(t *testing.T, st Backend, people int, tune func(*engine.Config)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	key, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "pt.key"))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, key: key, clk: clock.NewFake(t0), wall: clock.NewFake(t0)}
	q := &quiet{}
	cfg := engine.Config{Store: st, Clock: h.clk, Key: key,
		Providers: map[string]provider.Provider{"sms": q, "voice": q, "email": q, "webhook": q}}
	if tune != nil {
		tune(&cfg)
	}
	h.eng = engine.New(cfg)
	h.srv, err = New(Config{Store: st, Engine: h.eng, Key: key, Clock: h.wall, Insecure: true, LivePoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.srv.Run(ctx); close(done) }()
	h.ts = httptest.NewServer(h.srv.Handler())
	t.Cleanup(func() { h.srv.closeLive(); h.ts.Close(); cancel(); <-done; st.Close() })
	if people > 0 {
		var buf bytes.Buffer
		roster.Generate(&buf, people, 1)
		r, rep, err := roster.Parse(&buf, roster.Options{})
		if err != nil || !rep.OK() {
			t.Fatalf("roster: %v %v", err, rep.Errors)
		}
		h.roster = r
		if err := engine.SaveRoster(ctx, st, key, r, &store.RosterVersion{CreatedAt: t0.UnixNano()}); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// send sends an exercise bulletin and runs the engine until every
// recipient has had a first attempt.
func (h *harness) send(mode string) *store.Bulletin {
	h.t.Helper()
	m := engine.Spec{}
	b, err := h.eng.Send(context.Background(), engine.Bulletin{Status: "exercise", Title: "Drill", Body: "Reply to confirm",
		Spec: engine.Spec{Policy: policy(mode), Responses: m.Responses}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.run(time.Second)
	return b
}

// run moves the engine clock by d and works everything due.
func (h *harness) run(d time.Duration) {
	h.clk.Advance(d)
	for {
		n, err := h.eng.Tick(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

type user struct {
	name, password string
	secret         []byte
	token          string
}

// addUser adds an operator with an API token.
func (h *harness) addUser(name string, role auth.Role) *user {
	h.t.Helper()
	u := &user{name: name, password: "correct horse " + name}
	hash, err := auth.HashPassword(u.password)
	if err != nil {
		h.t.Fatal(err)
	}
	u.secret, _ = auth.NewTOTPSecret()
	su := &store.User{Name: name, Role: string(role), PasswordHash: hash, TOTPSealed: h.key.Seal(u.secret, TOTPAD(name)), CreatedAt: t0.UnixNano()}
	ctx := context.Background()
	if err := h.st.AddUser(ctx, su); err != nil {
		h.t.Fatal(err)
	}
	secret, th, _ := auth.NewSecret("pt_", 32)
	if err := h.st.AddToken(ctx, &store.Token{Hash: th, User: su.ID, Name: "test", CreatedAt: t0.UnixNano()}); err != nil {
		h.t.Fatal(err)
	}
	u.token = secret
	return u
}

// browser is a cookie-keeping client that does not follow redirects.
func (h *harness) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf fetches a page and returns its form's CSRF token.
func (h *harness) csrfOf(c *http.Client, path string) string {
	h.t.Helper()
	res, body := h.do(c, "GET", path, "", nil)
	m := csrfField.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		h.t.Fatalf("GET %s: %d, no CSRF token", path, res.StatusCode)
	}
	return m[1]
}

// login logs u in on a new browser, at the wall clock's time.
func (h *harness) login(u *user) *http.Client {
	h.t.Helper()
	c := h.browser()
	res, body := h.postForm(c, "/login", url.Values{"csrf": {h.csrfOf(c, "/login")}, "name": {u.name}, "password": {u.password},
		"code": {auth.TOTPCode(u.secret, auth.TOTPStep(h.wall.Now()))}})
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login %s: %d %s", u.name, res.StatusCode, body)
	}
	h.wall.Advance(30 * time.Second) // the next login needs a fresh code
	return c
}

func (h *harness) do(c *http.Client, method, path, contentType string, body io.Reader, hdr ...string) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c == nil {
		c = h.browser()
	}
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (h *harness) postForm(c *http.Client, path string, v url.Values) (*http.Response, string) {
	return h.do(c, "POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// api calls the API with u's token; body is marshalled to JSON unless a string.
func (h *harness) api(u *user, method, path string, body any) (*http.Response, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	var hdr []string
	if u != nil {
		hdr = []string{"Authorization", "Bearer " + u.token}
	}
	res, text := h.do(nil, method, path, ct, rd, hdr...)
	var out map[string]any
	json.Unmarshal([]byte(text), &out)
	return res, out
}

// errorOf is the error object of an API answer.
func errorOf(m map[string]any) map[string]any {
	e, _ := m["error"].(map[string]any)
	return e
}
