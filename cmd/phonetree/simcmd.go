package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"phonetree/internal/simrun"
)

func simCommand() command {
	c := command{name: "sim", usage: "[--seed S] [--people N] [--mode M] [--faults all|LIST] [--json]",
		summary: "run the real engine on virtual time with injected faults, checking every invariant after every step (exit 0 when all held)",
		example: "phonetree sim --seed 42 --people 500 --faults all"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		fs := c.flags(e)
		seed := fs.Uint64("seed", 1, "seed: the same seed reproduces the same run, faults included")
		people := fs.Int("people", 200, "people in the generated org")
		modeName := fs.String("mode", "cascade", "broadcast, cascade or relay")
		faults := fs.String("faults", "all", "faults to inject: all, none, or a comma-separated list of provider-errors, duplicate, delay, reorder, unknown-acks, cancel, store-errors, restarts")
		asJSON := fs.Bool("json", false, "print the result as one JSON object")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		mode, err := parseModeFlag(*modeName)
		if err != nil {
			return err
		}
		f, err := simrun.ParseFaults(*faults)
		if err != nil {
			return usageError{"--faults: " + err.Error()}
		}
		if *people < 1 {
			return usageError{"--people: must be at least 1"}
		}
		dir, err := os.MkdirTemp("", "phonetree-sim-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		res, err := simrun.Sim{Dir: dir, Seed: *seed, People: *people, Mode: mode, Faults: f}.Run(ctx)
		var fail *simrun.Failure
		if errors.As(err, &fail) {
			fmt.Fprintf(e.stderr, "INVARIANT BROKEN: %v\nreproduce: phonetree sim --seed %d --people %d --mode %s --faults %s\ntrace:\n  %s\n",
				fail, *seed, *people, mode, f, strings.Join(fail.Trace, "\n  "))
			return errors.New("invariant broken")
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]any{"seed": *seed, "faults": f.String(), "steps": res.Steps,
				"restarts": res.Restarts, "store_errors": res.StoreErrors, "reports": res.Reports, "status": res.Status})
		}
		fmt.Fprintf(e.stdout, "seed %d, %d people, %s, faults %s: %d steps, %d restarts, %d store failures, %d carrier reports; every invariant held\n",
			*seed, *people, mode, f, res.Steps, res.Restarts, res.StoreErrors, res.Reports)
		fmt.Fprintf(e.stdout, "  acked %d, unreached %d, cancelled %d of %d\n", res.Status.Acked, res.Status.Unreached, res.Status.Cancelled, res.Status.People)
		return nil
	}
	return c
}
