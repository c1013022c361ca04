package twilio_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/failover"
	"phonetree/internal/provider/twilio"
	"phonetree/internal/provider/twilio/twiliotest"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/simrun"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

const (
	accountSID  = "AC0123456789abcdef0123456789abcdef"
	authToken   = "f00dfeedf00dfeedf00dfeedf00dfeed"
	accountSID2 = "AC00000000000000000000000000000002"
	authToken2  = "5ec0d5ec0d5ec0d5ec0d5ec0d5ec0d00"
)

// logBuffer collects log lines from concurrent handlers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// replies is the in-memory Replies the store will implement: the latest
// SMS attempt per number, as seen going out through the provider.
type replies struct {
	provider.Provider
	mu     sync.Mutex
	latest map[string]twilio.Open
}

func (r *replies) Send(ctx context.Context, m provider.Message) (string, error) {
	id, err := r.Provider.Send(ctx, m)
	if err == nil && m.Method == "sms" && len(m.CallList) == 0 {
		r.mu.Lock()
		r.latest[m.To] = twilio.Open{AttemptID: m.AttemptID, Responses: 2}
		r.mu.Unlock()
	}
	return id, err
}

func (r *replies) LatestAttempt(_ context.Context, phone string) (twilio.Open, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.latest[phone]
	return o, ok, nil
}

// rig is the real engine on a SQLite file, the Twilio provider pointed at
// the stand-in, and the provider's webhooks on a loopback server.
type rig struct {
	t       testing.TB
	clock   *clock.Fake
	standin *twiliotest.Server
	account *twiliotest.Account
	prov    *twilio.Provider
	replies *replies
	log     *logBuffer
	st      store.Store
	eng     *engine.Engine
	people  *roster.Roster
	hooks   twilio.Hooks
	// with rigOptions.failover: a second account and the pair
	account2 *twiliotest.Account
	prov2    *twilio.Provider
	pair     *failover.Provider
}

type rigOptions struct {
	senders int
	limits  map[string]engine.Limit
	config  func(*twilio.Config)
	hooks   func(*twilio.Hooks)
	// failover adds a second Twilio account behind the first for SMS.
	failover bool
}

func newRig(t testing.TB, csv string, o rigOptions) *rig {
	t.Helper()
	rg := &rig{t: t, clock: clock.NewFake(t0), log: &logBuffer{}}
	rg.standin = twiliotest.New(rg.clock)
	t.Cleanup(rg.standin.Close)
	var handler http.Handler
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hooks.Close)
	numbers := make([]string, max(o.senders, 1))
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1310555%04d", i+1)
	}
	rg.account = rg.standin.AddAccount(&twiliotest.Account{SID: accountSID, Token: authToken, Numbers: numbers,
		SMSURL: hooks.URL + "/hooks/twilio/sms", VoiceURL: hooks.URL + "/hooks/twilio/voice"})
	cfg := twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: numbers, PublicURL: hooks.URL,
		APIURL: rg.standin.URL(), Clock: rg.clock, Log: slog.New(slog.NewTextHandler(rg.log, nil)),
		SMSPerSecond: 1000, CallsPerSecond: 1000}
	if o.config != nil {
		o.config(&cfg)
	}
	var err error
	if rg.prov, err = twilio.New(cfg); err != nil {
		t.Fatal(err)
	}
	var sms provider.Provider = rg.prov
	if o.failover {
		rg.account2 = rg.standin.AddAccount(&twiliotest.Account{SID: accountSID2, Token: authToken2, Numbers: []string{"+13105560001"},
			SMSURL: hooks.URL + "/hooks/twilio2/sms", VoiceURL: hooks.URL + "/hooks/twilio2/voice"})
		cfg2 := cfg
		cfg2.Name, cfg2.AccountSID, cfg2.AuthToken, cfg2.From, cfg2.HookPath = "twilio2", accountSID2, authToken2, rg.account2.Numbers, "/hooks/twilio2"
		if rg.prov2, err = twilio.New(cfg2); err != nil {
			t.Fatal(err)
		}
		if rg.pair, err = failover.New(failover.Config{Primary: rg.prov, Secondary: rg.prov2, Clock: rg.clock, Log: cfg.Log}); err != nil {
			t.Fatal(err)
		}
		sms = rg.pair
	}
	rg.replies = &replies{Provider: sms, latest: map[string]twilio.Open{}}
	rg.hooks = twilio.Hooks{Deliver: func(ctx context.Context, reps []provider.Report) error { return rg.eng.Deliver(ctx, reps) },
		Replies: rg.replies}
	if o.hooks != nil {
		o.hooks(&rg.hooks)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/twilio/", rg.prov.Handler(rg.hooks))
	if rg.prov2 != nil {
		mux.Handle("/hooks/twilio2/", rg.prov2.Handler(rg.hooks))
	}
	handler = mux
	if csv != "" {
		rg.openEngine(csv, o.limits)
	}
	return rg
}

func (rg *rig) openEngine(csv string, limits map[string]engine.Limit) {
	t := rg.t
	path := filepath.Join(t.TempDir(), "pt.db")
	key, _, err := seal.LoadOrCreate(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if rg.st, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rg.st.Close() })
	r, rep, err := roster.Parse(strings.NewReader(csv), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("roster: %v %v", err, rep.Errors[:min(len(rep.Errors), 3)])
	}
	if _, err := roster.AssignWords(r, nil, crand.Reader); err != nil {
		t.Fatal(err)
	}
	rg.people = r
	if err := engine.SaveRoster(context.Background(), rg.st, key, r, &store.RosterVersion{CreatedAt: t0.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	ps := map[string]provider.Provider{"sms": rg.replies, "voice": rg.prov}
	rg.eng = engine.New(engine.Config{Store: rg.st, Clock: rg.clock, Key: key, Providers: ps, Limits: limits})
}

func (rg *rig) send(mode cascade.Mode) int64 {
	b, err := rg.eng.Send(context.Background(), engine.Bulletin{Title: "Network compromise", Body: "Use only this channel.",
		Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode)}})
	if err != nil {
		rg.t.Fatal(err)
	}
	return b.ID
}

// run drives engine and stand-in on virtual time until both are idle.
func (rg *rig) run() {
	d := &simrun.Driver{Engine: rg.eng, Sim: rg.standin, Clock: rg.clock, Start: t0}
	if err := d.Run(context.Background()); err != nil {
		rg.t.Fatal(err)
	}
}

// states returns each person's state by id.
func (rg *rig) states(b int64) map[string]string {
	rs, err := rg.st.AllRecipients(context.Background(), b)
	if err != nil {
		rg.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[rg.people.People[r.Idx].ID] = cascade.State(r.State).String()
	}
	return out
}

const header = "id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language\n"

// org makes n people in a tree (person i reports to i/3), numbered
// +1415555xxxx.
func org(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 1; i <= n; i++ {
		mgr := ""
		if i > 1 {
			mgr = fmt.Sprintf("P%d", i/3+1)
		}
		fmt.Fprintf(&b, "P%d,Person %d,%s,,,%s,,,,,\n", i, i, mgr, phone(i))
	}
	return b.String()
}

func phone(i int) string { return fmt.Sprintf("+1415555%04d", i) }
