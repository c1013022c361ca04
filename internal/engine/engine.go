// Package engine runs bulletins: it claims due recipients from the store,
// applies cascade.Step, persists the new state and its effects in one
// transaction, and hands attempts to providers through a leased outbox. All
// state is durable: a process that dies loses nothing, and a new one resumes.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/provider"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
)

// Config wires an engine. Zero values get defaults.
type Config struct {
	Store     store.Store
	Clock     clock.Clock
	Key       *seal.Key
	Providers map[string]provider.Provider // by method: sms, voice, email, webhook
	Limits    map[string]Limit             // by method
	Log       *slog.Logger
	Batch     int           // recipients claimed per transaction (default 5000)
	Lease     time.Duration // how long a claimed attempt is held (default 1 minute)
	// SendWorkers is how many hand-overs are in flight at once (default 32;
	// 1 for simulations, which must be deterministic and gain nothing).
	SendWorkers int
	// ApprovalThreshold is the two-person rule: an actual bulletin to more
	// people than this waits for a second operator's approval (0: no rule).
	ApprovalThreshold int
	// Links, if set, puts signed links in messages: the ack page for
	// recipients, the call-list page for relay callers and call tasks.
	Links Links
}

// Links makes signed links (the web server implements it).
type Links interface {
	AckLink(attempt int64) string
	CallListLink(bulletin int64, caller int32) string
}

// Engine runs bulletins. Its methods are safe for concurrent use; state
// changes are serialised.
type Engine struct {
	cfg     Config
	mu      sync.Mutex
	runs    map[int64]*run
	rosters map[int64]*roster.Roster
	buckets map[string]*bucket
	wake    chan struct{}
	horizon time.Time // the latest time a Tick acted at; late reports count from here

	cache        map[int64]store.Recipient // committed recipient state (see cache.go)
	cacheVersion uint64
	sched        *schedule    // when recipients are next due (see schedule.go)
	flight       *flight      // the commit in flight (see flight.go)
	escal        *escalations // call tasks due to go up their chain (see escalate.go)
	idleAt       time.Time    // when a Tick last found less than a batch due
}

// Spec is the bulletin-level content and rules, stored with the bulletin.
type Spec struct {
	Policy    cascade.Policy
	Short     string   // SMS text; the title and body if empty
	Script    string   // voice script; the short text if empty
	Responses []string // response options, e.g. "Safe", "Need help"
	Audience  []string // root ids of subtrees; empty for everyone
}

// run is a bulletin being worked, with its frozen roster.
type run struct {
	b       store.Bulletin
	spec    Spec
	roster  *roster.Roster
	tree    *roster.Tree
	member  []bool // in the audience
	plans   [][]string
	hasKids []bool
}

// New returns an engine.
func New(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Batch == 0 {
		cfg.Batch = 5000
	}
	if cfg.Lease == 0 {
		cfg.Lease = time.Minute
	}
	if cfg.SendWorkers == 0 {
		cfg.SendWorkers = 32
	}
	e := &Engine{cfg: cfg, runs: map[int64]*run{}, rosters: map[int64]*roster.Roster{}, buckets: map[string]*bucket{}, wake: make(chan struct{}, 1)}
	// Work by an earlier process happened before now: reports count from here.
	e.horizon = cfg.Clock.Now()
	for m, l := range cfg.Limits {
		e.buckets[m] = &bucket{limit: l}
	}
	return e
}

// DefaultOrder is the contact plan for people without their own order.
var DefaultOrder = []roster.Method{roster.SMS, roster.Voice, roster.Email}

// loadRun returns the run for bulletin id, loading it on first use.
func (e *Engine) loadRun(ctx context.Context, id int64) (*run, error) {
	if r, ok := e.runs[id]; ok {
		return r, nil
	}
	b, err := e.cfg.Store.Bulletin(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &run{b: *b}
	if err := json.Unmarshal([]byte(b.Policy), &r.spec); err != nil {
		return nil, fmt.Errorf("bulletin %d: policy: %w", id, err)
	}
	if r.roster, err = e.loadRoster(ctx, b.RosterVersion); err != nil {
		return nil, err
	}
	r.tree = r.roster.Tree()
	if r.member, err = audience(r.roster, r.tree, r.spec.Audience); err != nil {
		return nil, err
	}
	r.prepare()
	e.runs[id] = r
	return r, nil
}

func (e *Engine) loadRoster(ctx context.Context, version int64) (*roster.Roster, error) {
	if r, ok := e.rosters[version]; ok {
		return r, nil
	}
	r, _, err := LoadRoster(ctx, e.cfg.Store, e.cfg.Key, version)
	if err != nil {
		return nil, err
	}
	e.rosters[version] = r
	return r, nil
}

// audience marks the people in the subtrees of roots (everyone if none).
func audience(r *roster.Roster, t *roster.Tree, roots []string) ([]bool, error) {
	member := make([]bool, len(r.People))
	if len(roots) == 0 {
		for i := range member {
			member[i] = true
		}
		return member, nil
	}
	var stack []int32
	for _, id := range roots {
		i, ok := r.Index(id)
		if !ok {
			return nil, fmt.Errorf("audience: unknown id %q", id)
		}
		stack = append(stack, int32(i))
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !member[i] {
			member[i] = true
			stack = append(stack, t.Children[i]...)
		}
	}
	return member, nil
}

// plan returns person i's contact methods in order.
func (r *run) plan(i int32) []string {
	if r.plans != nil {
		return r.plans[i]
	}
	return contactMethods(r.roster.People[i].Contacts(DefaultOrder))
}

func contactMethods(cs []roster.Contact) []string {
	out := make([]string, len(cs))
	for k, c := range cs {
		out[k] = string(c.Method)
	}
	return out
}

// callees returns person i's callees within the audience.
func (r *run) callees(i int32) []int32 {
	var out []int32
	for _, c := range r.tree.Children[i] {
		if r.member[c] {
			out = append(out, c)
		}
	}
	return out
}

// ErrNoRoster is returned when a bulletin is sent before any roster exists.
var ErrNoRoster = errors.New("no roster imported yet: run `phonetree roster import FILE.csv` first")

// prepare caches the run's contact plans and callee flags.
func (r *run) prepare() {
	n := len(r.roster.People)
	r.plans = make([][]string, n)
	r.hasKids = make([]bool, n)
	for i := range n {
		if !r.member[i] {
			continue
		}
		r.plans[i] = contactMethods(r.roster.People[i].Contacts(DefaultOrder))
		for _, c := range r.tree.Children[i] {
			if r.member[c] {
				r.hasKids[i] = true
				break
			}
		}
	}
}

func (r *run) hasCallees(i int32) bool { return r.hasKids[i] }

// idempotent reports whether the provider for method deduplicates by key.
func (e *Engine) idempotent(method string) bool {
	p := e.cfg.Providers[method]
	return p != nil && p.Idempotent()
}
