package simrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/sim"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

// Start is when simulations begin: a Monday in business hours.
var Start = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// Sim configures one deterministic simulation: the real engine on a real
// SQLite file, the sim carrier, a fake clock and injected faults.
type Sim struct {
	Dir    string
	Seed   uint64
	People int
	Mode   cascade.Mode
	Faults Faults

	landEach bool // pipelined seeds land each step at once (tests)
}

// Result is what a simulation did.
type Result struct {
	Steps, Restarts, StoreErrors, Reports int
	Status                                *engine.Status
}

// Failure is a broken invariant, with the seed and the trace that shows it.
type Failure struct {
	Seed  uint64
	Step  int
	Err   error
	Trace []string
}

func (f *Failure) Error() string {
	return fmt.Sprintf("seed %d, step %d: %v", f.Seed, f.Step, f.Err)
}

type simState struct {
	cfg      Sim
	rng      *rand.Rand
	path     string
	key      *seal.Key
	clock    *clock.Fake
	carrier  *sim.Provider
	src      Source
	raw      store.Store
	eng      *engine.Engine
	people   *roster.Roster
	bulletin int64
	res      Result
	// pipelined runs step the engine with commits in flight (Engine.Step):
	// reports given since the last landing are given again if it fails.
	pipelined bool
	unlanded  []provider.Report
	pending   []provider.Report // delivered by the carrier, not yet committed
}

// Run runs the simulation to the end, checking DESIGN §5's invariants after
// every step. A broken invariant is returned as a *Failure.
func (s Sim) Run(ctx context.Context) (*Result, error) {
	st := &simState{cfg: s, rng: rand.New(rand.NewPCG(s.Seed, 0x5eed)), path: filepath.Join(s.Dir, "sim.db"), clock: clock.NewFake(Start),
		pipelined: s.Seed%2 == 0}
	var err error
	if st.key, _, err = seal.LoadOrCreate(st.path + ".key"); err != nil {
		return nil, err
	}
	st.carrier = sim.New(s.Seed, sim.DefaultModel(), st.clock)
	st.src = st.carrier
	if s.Faults.Duplicate || s.Faults.Delay || s.Faults.Reorder || s.Faults.UnknownAcks {
		st.src = &faultySource{Source: st.carrier, f: s.Faults, rng: rand.New(rand.NewPCG(s.Seed, 1))}
	}
	if err := st.open(ctx); err != nil {
		return nil, err
	}
	defer func() { st.raw.Close() }()
	if err := st.setup(ctx); err != nil {
		return nil, err
	}
	if err := st.loop(ctx); err != nil {
		return &st.res, err
	}
	st.res.Status, err = st.eng.Status(ctx, st.bulletin)
	return &st.res, err
}

func (st *simState) open(ctx context.Context) error {
	raw, err := sqlite.Open(ctx, st.path)
	if err != nil {
		return err
	}
	st.raw = raw
	var s store.Store = raw
	if st.cfg.Faults.StoreErrors || st.pipelined {
		s = &faultyStore{Store: raw, rng: rand.New(rand.NewPCG(st.cfg.Seed, uint64(2+st.res.Restarts))),
			fail: st.cfg.Faults.StoreErrors, slow: st.pipelined}
	}
	var p provider.Provider = st.carrier
	if st.cfg.Faults.ProviderErrors {
		p = &faultyProvider{Provider: st.carrier, rng: rand.New(rand.NewPCG(st.cfg.Seed, uint64(100+st.res.Restarts)))}
	}
	ps := map[string]provider.Provider{"sms": p, "voice": p, "email": p, "webhook": p}
	st.eng = engine.New(engine.Config{Store: s, Clock: st.clock, Key: st.key, Providers: ps, Batch: 50, SendWorkers: 1})
	return nil
}

func (st *simState) setup(ctx context.Context) error {
	var buf bytes.Buffer
	if err := roster.Generate(&buf, st.cfg.People, int64(st.cfg.Seed)); err != nil {
		return err
	}
	r, rep, err := roster.Parse(&buf, roster.Options{})
	if err != nil || !rep.OK() {
		return fmt.Errorf("generated roster: %v %v", err, rep.Errors)
	}
	if _, err := roster.AssignWords(r, nil, rand.NewChaCha8([32]byte{byte(st.cfg.Seed), byte(st.cfg.Seed >> 8)})); err != nil {
		return err
	}
	st.people = r
	if err := engine.SaveRoster(ctx, st.raw, st.key, r, &store.RosterVersion{CreatedAt: Start.UnixNano()}); err != nil {
		return err
	}
	return st.retry(func() error {
		b, err := st.eng.Send(ctx, engine.Bulletin{Status: "exercise", Title: "Simulation",
			Spec: engine.Spec{Policy: cascade.DefaultPolicy(st.cfg.Mode)}})
		if err == nil {
			st.bulletin = b.ID
		}
		return err
	})
}

// retry repeats fn while it fails with an injected store error.
func (st *simState) retry(fn func() error) error {
	for {
		err := fn()
		if !errors.Is(err, ErrInjected) {
			return err
		}
		st.res.StoreErrors++
	}
}
