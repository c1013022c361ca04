package simrun

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
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
