package web

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/sim"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/simrun"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

// stack is the whole of `phonetree serve` in the test process: the server on
// a loopback port, the engine's workers, and the sim carrier on a scaled clock.
type stack struct {
	url    string
	srv    *Server
	st     *sqlite.Store
	eng    *engine.Engine
	roster *roster.Roster
	admin  *user
	stop   func()
}

type stackConfig struct {
	people int
	speed  float64
	model  sim.Model
	silent int32 // a person the carrier never reaches (-1: none)
	batch  int   // engine batch (0: default)
	limits map[string]engine.Limit
}

// silentFor is a carrier that takes messages for one person and drops them.
type silentFor struct {
	provider.Provider
	idx int32
}

func (s silentFor) Send(ctx context.Context, m provider.Message) (string, error) {
	if m.Recipient == s.idx {
		return m.Key, nil
	}
	return s.Provider.Send(ctx, m)
}

func startStack(t testing.TB, c stackConfig) *stack {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, filepath.Join(dir, "pt.db"))
	if err != nil {
		t.Fatal(err)
	}
	key, _, _ := seal.LoadOrCreate(filepath.Join(dir, "pt.key"))
	var buf bytes.Buffer
	roster.Generate(&buf, c.people, 1)
	ros, _, err := roster.Parse(&buf, roster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.SaveRoster(ctx, st, key, ros, &store.RosterVersion{CreatedAt: time.Now().UnixNano()}); err != nil {
		t.Fatal(err)
	}
	wall := clock.Real{}
	clk := &clock.Scaled{Start: wall.Now(), Factor: c.speed, Wall: wall}
	sp := sim.New(1, c.model, clk)
	ps := map[string]provider.Provider{}
	for _, m := range []string{"sms", "voice", "email", "webhook"} {
		ps[m] = silentFor{sp, c.silent}
	}
	eng := engine.New(engine.Config{Store: st, Clock: clk, Key: key, Providers: ps, Batch: c.batch, Limits: c.limits})
	srv, err := New(Config{Store: st, Engine: eng, Key: key, Clock: wall, Insecure: true, LivePoll: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.cfg.BaseURL = "http://" + ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ctx, ln,
			func(ctx context.Context) error { return eng.Serve(ctx, 100*time.Millisecond) },
			func(ctx context.Context) error { return simrun.Pump(ctx, eng, sp, clk, 20*time.Millisecond) })
	}()
	s := &stack{url: srv.cfg.BaseURL, srv: srv, st: st, eng: eng, roster: ros}
	s.admin = s.addUser(t, "admin", auth.Admin)
	s.stop = func() { cancel(); <-done; st.Close() }
	t.Cleanup(s.stop)
	return s
}

func (s *stack) addUser(t testing.TB, name string, role auth.Role) *user {
	u := &user{name: name, password: "correct horse " + name}
	hash, _ := auth.HashPassword(u.password)
	u.secret, _ = auth.NewTOTPSecret()
	su := &store.User{Name: name, Role: string(role), PasswordHash: hash, TOTPSealed: s.srv.cfg.Key.Seal(u.secret, TOTPAD(name))}
	if err := s.st.AddUser(context.Background(), su); err != nil {
		t.Fatal(err)
	}
	secret, th, _ := auth.NewSecret("pt_", 32)
	s.st.AddToken(context.Background(), &store.Token{Hash: th, User: su.ID, Name: "test"})
	u.token = secret
	return u
}

// allAck is a world where every message arrives and everyone acks the
// first one within a minute.
func allAck() sim.Model {
	m := sim.DefaultModel()
	m.SMSFailure, m.SMSAck = 0, 1
	m.SMSLatency, m.SMSRead, m.SMSAckDelay = sim.LogNorm{M: 2, S: 0.3}, sim.LogNorm{M: 10, S: 0.5}, sim.LogNorm{M: 15, S: 0.5}
	m.VoiceAnswer, m.VoiceKey = 1, 1
	m.EmailBounce, m.EmailAtDesk, m.EmailDeskMean, m.EmailAck = 0, 1, 30, 1
	m.ChatOnline, m.ChatMean, m.ChatAck = 1, 30, 1
	m.AckDelay = sim.LogNorm{M: 15, S: 0.5}
	return m
}
