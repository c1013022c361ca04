package simrun

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"phonetree/internal/store/sqlite"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
)

// swarmBudget is how long the swarm runs: PHONETREE_SWARM_SECONDS, else 15 s
// (CI sets more).
func swarmBudget() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("PHONETREE_SWARM_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 15 * time.Second
}

// TestSwarm runs many seeds, each with its own fault mix, mode and size,
// checking every invariant after every step, until the time budget is spent.
func TestSwarm(t *testing.T) {
	deadline := time.Now().Add(swarmBudget())
	seeds, restarts, storeErrors := 0, 0, 0
	for seed := uint64(1); time.Now().Before(deadline); seed++ {
		res, err := swarmCase(t, seed).Run(context.Background())
		var f *Failure
		if errors.As(err, &f) {
			t.Fatalf("%v\n  %s", f, strings.Join(f.Trace, "\n  "))
		} else if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		seeds++
		restarts += res.Restarts
		storeErrors += res.StoreErrors
	}
	t.Logf("swarm: %d seeds, %d restarts, %d store failures injected, no invariant broken", seeds, restarts, storeErrors)
}

func swarmCase(t *testing.T, seed uint64) Sim {
	rng := rand.New(rand.NewPCG(seed, 42))
	return Sim{Dir: t.TempDir(), Seed: seed, People: 20 + rng.IntN(120), Mode: cascade.Mode(rng.IntN(3)), Faults: RandomFaults(rng)}
}

// TestRegressionSeeds replays seeds that once failed.
func TestRegressionSeeds(t *testing.T) {
	for _, seed := range []uint64{74} { // 74: a new engine after a restart must not record late reports before the old one's sends
		if _, err := swarmCase(t, seed).Run(context.Background()); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func TestAllFaultsOneSeed(t *testing.T) {
	f, err := ParseFaults("all")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sim{Dir: t.TempDir(), Seed: 7, People: 150, Mode: cascade.Relay, Faults: f}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Restarts == 0 || res.StoreErrors == 0 {
		t.Fatalf("faults not injected: %+v", res)
	}
}

func TestParseFaults(t *testing.T) {
	if _, err := ParseFaults("restarts,bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("unknown fault accepted: %v", err)
	}
	f, _ := ParseFaults("restarts,delay")
	if f.String() != "delay,restarts" {
		t.Fatalf("got %s", f)
	}
}

// TestFlightsChangeNothing runs pipelined seeds twice, once with each commit
// left in flight (held back at random) and once landing it at once: the
// engine reads through a commit in flight, so both must record exactly the
// same run. (Without injected store failures: a failed commit in flight is
// noticed a call later, and what is retried then differs.)
func TestFlightsChangeNothing(t *testing.T) {
	for seed := uint64(2); seed <= 80; seed += 2 {
		flying, landed := swarmCase(t, seed), swarmCase(t, seed)
		flying.Faults.StoreErrors, landed.Faults.StoreErrors = false, false
		landed.landEach = true
		a, b := recorded(t, flying), recorded(t, landed)
		for i := range a {
			if d := firstDiff(a[i], b[i]); d != "" {
				t.Fatalf("seed %d (%v): the run differs when commits land at once: %s", seed, flying.Faults, d)
			}
		}
	}
}

// firstDiff describes the first element where two slices differ.
func firstDiff(a, b any) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < max(va.Len(), vb.Len()); i++ {
		switch {
		case i >= va.Len():
			return fmt.Sprintf("extra %+v", vb.Index(i))
		case i >= vb.Len():
			return fmt.Sprintf("missing %+v", va.Index(i))
		case !reflect.DeepEqual(va.Index(i).Interface(), vb.Index(i).Interface()):
			return fmt.Sprintf("at %d: %+v, landed %+v", i, va.Index(i), vb.Index(i))
		}
	}
	return ""
}

// recorded runs s and returns everything it recorded.
func recorded(t *testing.T, s Sim) []any {
	ctx := context.Background()
	if _, err := s.Run(ctx); err != nil {
		t.Fatalf("seed %d: %v", s.Seed, err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(s.Dir, "sim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err1 := st.AllRecipients(ctx, 1)
	as, err2 := st.BulletinAttempts(ctx, 1)
	es, err3 := st.Events(ctx, 1)
	ts, err4 := st.CallTasks(ctx, 1)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || len(as) == 0 {
		t.Fatalf("seed %d: nothing recorded", s.Seed)
	}
	return []any{rs, as, es, ts}
}
