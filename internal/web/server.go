// Package web is phonetree's HTTP face: the JSON API under /api/v1/, the
// operators' dashboard with live updates, the ack and caller pages that
// people reach from their messages, login and sessions, health and metrics.
// It drives the engine through its exported methods and reads the store; it
// holds no state of its own that a restart would lose, beyond the login
// throttle and a few caches.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/seal"
	"phonetree/internal/store"
)

// Backend is the database as the server uses it: the engine's store plus
// accounts and operations.
type Backend interface {
	store.Store
	store.Accounts
	store.Operations
}

// Config wires a server. Zero values get defaults.
type Config struct {
	Store  Backend
	Engine *engine.Engine
	Key    *seal.Key
	// Clock is the wall clock for sessions, links and throttling (the
	// engine keeps its own clock, which the simulator may speed up).
	Clock clock.Clock
	Log   *slog.Logger
	// Insecure drops the Secure flag from cookies (plain-HTTP development).
	Insecure   bool
	BaseURL    string        // the server's public URL, for links; "" means relative links
	LinkTTL    time.Duration // how long an ack or call-list link works (default 7 days)
	SessionTTL time.Duration // how long a login lasts (default 12 hours)
	MaxJSON    int64         // largest JSON body (default 1 MiB)
	MaxCSV     int64         // largest roster upload (default 64 MiB)
	LivePoll   time.Duration // how often live views refresh (default 1 s)
	Metrics    *Metrics      // where to count (default a new registry)
	// Hooks are carriers' webhook handlers by mount pattern; they
	// authenticate requests themselves (a carrier's signature), so they get
	// no session, CSRF or body handling here.
	Hooks map[string]http.Handler
}

// Server serves phonetree over HTTP. Create it with New.
type Server struct {
	cfg       Config
	mux       *http.ServeMux
	metrics   *Metrics
	acks      *collector
	throttle  *auth.Throttle
	argon     chan struct{} // bounds concurrent password checks
	pages     map[string]*template.Template
	views     sync.Map // bulletin id -> *bulletinView
	viewMu    sync.Mutex
	snaps     *snapshots
	ready     atomic.Bool
	closing   chan struct{} // closed at shutdown: live views end
	usedLinks sync.Map      // login links already used
}

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New returns a server; call Run to start its background work.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Engine == nil || cfg.Key == nil {
		return nil, errors.New("web: Store, Engine and Key are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.LinkTTL = orDuration(cfg.LinkTTL, 7*24*time.Hour)
	cfg.SessionTTL = orDuration(cfg.SessionTTL, 12*time.Hour)
	cfg.LivePoll = orDuration(cfg.LivePoll, time.Second)
	if cfg.MaxJSON == 0 {
		cfg.MaxJSON = 1 << 20
	}
	if cfg.MaxCSV == 0 {
		cfg.MaxCSV = 64 << 20
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), metrics: cfg.Metrics,
		throttle: auth.NewThrottle(5, 15*time.Minute), argon: make(chan struct{}, 4),
		closing: make(chan struct{})}
	s.acks = newCollector(s)
	s.snaps = newSnapshots(s)
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routes()
	return s, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Metrics is the server's metrics registry (to count provider hand-overs
// and carrier reports from outside, see CountProvider and CountSource).
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler is the server's HTTP handler: every route, with logging and metrics.
func (s *Server) Handler() http.Handler { return s.observe(s.mux) }

// Run does the server's background work (the ack collector) until ctx
// ends; acks already accepted are recorded before it returns.
func (s *Server) Run(ctx context.Context) error {
	s.ready.Store(true)
	defer s.ready.Store(false)
	return s.acks.run(ctx)
}

// SetReady marks the server ready or not for /readyz (false while shutting down).
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

func (s *Server) routes() {
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /metrics", s.metricsHandler)
	for pattern, h := range s.cfg.Hooks {
		s.mux.Handle(pattern, h)
	}
	s.ackRoutes()
	s.verifyRoutes()
	s.callerRoutes()
	s.loginRoutes()
	s.apiRosterRoutes()
	s.apiBulletinRoutes()
	s.apiRecipientRoutes()
	s.dashboardRoutes()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no such API route: "+r.Method+" "+r.URL.Path))
	})
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+itoa(int64(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}
