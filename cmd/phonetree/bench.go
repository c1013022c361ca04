package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/sqlite"
)

// benchResult is what `phonetree bench --json` prints.
type benchResult struct {
	People            int     `json:"people"`
	Mode              string  `json:"mode"`
	WallSeconds       float64 `json:"wall_seconds"`
	RecipientsPerSec  float64 `json:"recipients_per_second"`
	BaselineWritesSec float64 `json:"baseline_writes_per_second"`
	Ratio             float64 `json:"ratio"`
	PeakRSSBytes      int64   `json:"peak_rss_bytes"`
	Acked             int     `json:"acked"`
	Unreached         int     `json:"unreached"`
	Attempts          int     `json:"attempts"`
}

func benchCommand() command {
	c := command{name: "bench", usage: "[--people N] [--mode M] [--dir DIR] [--db postgres://…] [--json]",
		summary: "time a full simulated run (release, send, delivery, ack, all persisted) against raw SQLite writes",
		example: "phonetree bench --people 100000 --mode broadcast --json"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		fs := c.flags(e)
		people := fs.Int("people", 100000, "people in the generated org")
		modeName := fs.String("mode", "broadcast", "broadcast, cascade or relay")
		dir := fs.String("dir", ".", "directory for the scratch databases (the disk being measured)")
		db := fs.String("db", "", "an empty PostgreSQL database to run on (postgres://…); default a scratch SQLite file in --dir")
		asJSON := fs.Bool("json", false, "print one JSON object")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
		soak := fs.Duration("soak", 0, "instead: keep sending cascades of --people for this long (e.g. 10m), sampling memory, goroutines, files and latency")
		interval := fs.Duration("soak-interval", 10*time.Second, "with --soak: how often to sample")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		mode, err := parseModeFlag(*modeName)
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp(*dir, "phonetree-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if *soak > 0 {
			return runSoak(ctx, e.stdout, tmp, *people, mode, *soak, *interval, *asJSON)
		}
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		// Fewer collections while the run is short; the soft limit keeps the
		// heap well under the 500 MB the bench must stay within.
		debug.SetGCPercent(300)
		debug.SetMemoryLimit(280 << 20)
		res, err := runBench(ctx, tmp, *db, *people, mode)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(res)
		}
		fmt.Fprintf(e.stdout, "bench %s, %d people: %.2f s wall, %.0f recipients/s\n", res.Mode, res.People, res.WallSeconds, res.RecipientsPerSec)
		fmt.Fprintf(e.stdout, "  acked %d, unreached %d, attempts %d\n", res.Acked, res.Unreached, res.Attempts)
		fmt.Fprintf(e.stdout, "  baseline: %.0f raw SQLite row writes/s on the same disk; ratio %.4f (1/%.0f)\n", res.BaselineWritesSec, res.Ratio, 1/res.Ratio)
		fmt.Fprintf(e.stdout, "  peak RSS %.0f MB\n", float64(res.PeakRSSBytes)/(1<<20))
		return nil
	}
	return c
}

func runBench(ctx context.Context, dir, dbURL string, people int, mode cascade.Mode) (*benchResult, error) {
	// The baseline runs before and after the bench and the two are averaged,
	// so drift in the machine's speed during the run affects both sides alike.
	before, err := baselineWrites(ctx, filepath.Join(dir, "baseline1.db"))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	path := filepath.Join(dir, "bench.db")
	var st store.Store
	switch {
	case dbURL == "":
		st, err = sqlite.Open(ctx, path)
	case strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://"):
		st, err = postgres.Open(ctx, dbURL)
	default:
		return nil, usageError{"--db: want a postgres:// URL; without --db the bench runs on a scratch SQLite file in --dir"}
	}
	if err != nil {
		return nil, err
	}
	defer st.Close()
	key, _, err := (&dbFlags{db: path}).keyQuiet()
	if err != nil {
		return nil, err
	}
	if _, err := generateRoster(ctx, st, key, people, 1); err != nil {
		return nil, err
	}
	sm := newSimulation(st, key, 1, nil)
	start := time.Now()
	b, err := sm.eng.Send(ctx, engine.Bulletin{Title: "Benchmark", Body: "bench", Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode)}})
	if err != nil {
		return nil, err
	}
	if err := sm.driver.Run(ctx); err != nil {
		return nil, err
	}
	wall := time.Since(start).Seconds()
	after, err := baselineWrites(ctx, filepath.Join(dir, "baseline2.db"))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	base := (before + after) / 2
	s, err := sm.eng.Status(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	if s.Acked+s.Unreached != people {
		// a run that stopped early would report a speed it never did
		return nil, fmt.Errorf("the run ended with %d of %d people acked or unreached", s.Acked+s.Unreached, people)
	}
	res := &benchResult{People: people, Mode: mode.String(), WallSeconds: wall, RecipientsPerSec: float64(people) / wall,
		BaselineWritesSec: base, PeakRSSBytes: peakRSS(), Acked: s.Acked, Unreached: s.Unreached}
	res.Ratio = res.RecipientsPerSec / base
	for _, n := range s.Attempts {
		res.Attempts += n
	}
	return res, nil
}

// baselineWrites measures raw SQLite row writes per second on this disk:
// 500,000 single-row inserts of an integer and a short string into an
// unindexed table, one transaction, one prepared statement.
func baselineWrites(ctx context.Context, path string) (float64, error) {
	// The driver watches a cancellable context with a goroutine per
	// statement: that would time goroutines, not writes.
	ctx = context.WithoutCancel(ctx)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (n INTEGER, s TEXT)"); err != nil {
		return 0, err
	}
	const rows = 500000
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO t (n, s) VALUES (?, ?)")
	if err != nil {
		return 0, err
	}
	for i := range rows {
		if _, err := st.ExecContext(ctx, i, "recipient"); err != nil {
			return 0, err
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return rows / time.Since(start).Seconds(), nil
}

// peakRSS is the process's peak resident set size (VmHWM), in bytes.
func peakRSS() int64 { return procStatus("VmHWM:") }

// currentRSS is the process's resident set size now (VmRSS), in bytes.
func currentRSS() int64 { return procStatus("VmRSS:") }

func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
