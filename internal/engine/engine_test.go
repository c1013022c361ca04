package engine_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/simrun"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// behaviour is how a scripted person answers: on which attempt (0-based,
// -1 never) they ack, and whether every attempt to them fails.
type behaviour struct {
	ackOn int
	fails bool
}

// scripted is a hand-written carrier: people behave as the test says.
type scripted struct {
	clock  clock.Clock
	people map[string]behaviour // by person id, E1 being recipient 0
	mu     sync.Mutex
	queue  []provider.Report
	sent   map[string]int // hand-overs per idempotency key
	log    []provider.Message
}

func newScripted(c clock.Clock) *scripted {
	return &scripted{clock: c, people: map[string]behaviour{}, sent: map[string]int{}}
}

func (s *scripted) Name() string     { return "scripted" }
func (s *scripted) Idempotent() bool { return true }
func (s *scripted) Send(_ context.Context, m provider.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[m.Key]++
	if s.sent[m.Key] > 1 {
		return m.Key, nil // deduplicated
	}
	s.log = append(s.log, m)
	now := s.clock.Now()
	b, ok := s.people[fmt.Sprintf("E%d", m.Recipient+1)]
	if !ok {
		b = behaviour{ackOn: 0}
	}
	if len(m.CallList) > 0 { // a relay caller who never calls anyone
		return m.Key, nil
	}
	switch {
	case b.fails:
		s.queue = append(s.queue, provider.Report{Kind: provider.Undeliverable, AttemptID: m.AttemptID, At: now.Add(time.Second)})
	case b.ackOn == m.Seq:
		s.queue = append(s.queue, provider.Report{Kind: provider.Delivered, AttemptID: m.AttemptID, At: now.Add(time.Second)},
			provider.Report{Kind: provider.Acked, AttemptID: m.AttemptID, Response: 1, Source: m.Method, At: now.Add(30 * time.Second)})
	default:
		s.queue = append(s.queue, provider.Report{Kind: provider.Delivered, AttemptID: m.AttemptID, At: now.Add(time.Second)})
	}
	sort.SliceStable(s.queue, func(i, j int) bool { return s.queue[i].At.Before(s.queue[j].At) })
	return m.Key, nil
}

func (s *scripted) NextAt() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	return s.queue[0].At, true
}

func (s *scripted) Due(t time.Time) []provider.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(s.queue) && !s.queue[n].At.After(t) {
		n++
	}
	out := append([]provider.Report(nil), s.queue[:n]...)
	s.queue = s.queue[n:]
	return out
}

// harness is an engine on a real SQLite file with a fake clock.
type harness struct {
	t       *testing.T
	path    string
	key     *seal.Key
	clock   *clock.Fake
	st      store.Store
	eng     *engine.Engine
	carrier *scripted
	people  *roster.Roster
	driver  *simrun.Driver
}

const header = "id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language\n"

// org: E1 root; E2, E3 under E1; E4, E5 under E2; E6 under E3.
const org = header + `E1,Root,,,,+13105550101,,,,,
E2,Mid A,E1,,,+13105550102,,,,,
E3,Mid B,E1,,,+13105550103,,,,,
E4,Leaf A,E2,,,+13105550104,,,,,
E5,Leaf B,E2,,,+13105550105,,,,,
E6,Leaf C,E3,,,+13105550106,,,,,
`

func newHarness(t *testing.T, csv string) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "pt.db"), clock: clock.NewFake(t0)}
	var err error
	h.key, _, err = seal.LoadOrCreate(h.path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	h.carrier = newScripted(h.clock)
	h.open()
	r, rep, err := roster.Parse(strings.NewReader(csv), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("roster: %v %v", err, rep.Errors)
	}
	if _, err := roster.AssignWords(r, nil, crand.Reader); err != nil {
		t.Fatal(err)
	}
	h.people = r
	if err := engine.SaveRoster(context.Background(), h.st, h.key, r, &store.RosterVersion{CreatedAt: t0.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) open() {
	st, err := sqlite.Open(context.Background(), h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.st = st
	ps := map[string]provider.Provider{"sms": h.carrier, "voice": h.carrier, "email": h.carrier}
	h.eng = engine.New(engine.Config{Store: st, Clock: h.clock, Key: h.key, Providers: ps, SendWorkers: 1})
	h.driver = &simrun.Driver{Engine: h.eng, Sim: h.carrier, Clock: h.clock, Start: t0}
	h.t.Cleanup(func() { h.st.Close() })
}

func (h *harness) send(mode cascade.Mode) int64 {
	b, err := h.eng.Send(context.Background(), engine.Bulletin{Title: "Test", Body: "body", Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode)}})
	if err != nil {
		h.t.Fatal(err)
	}
	return b.ID
}

func (h *harness) run() {
	if err := h.driver.Run(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// states returns each person's state by id.
func (h *harness) states(b int64) map[string]string {
	rs, err := h.st.AllRecipients(context.Background(), b)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[fmt.Sprintf("E%d", r.Idx+1)] = cascade.State(r.State).String()
	}
	return out
}

func (h *harness) sendsTo(number string) int {
	n := 0
	for _, m := range h.carrier.log {
		if m.To == number && len(m.CallList) == 0 {
			n++
		}
	}
	return n
}
