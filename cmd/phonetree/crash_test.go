package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"phonetree/internal/engine"
	"phonetree/internal/provider/sim"
	"phonetree/internal/seal"
	"phonetree/internal/simrun"
	"phonetree/internal/store/sqlite"
)

// phonetree runs a command in-process and returns its standard output.
func phonetree(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	if err := run(context.Background(), e, args); err != nil {
		t.Fatalf("phonetree %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestCrashLoop runs `phonetree serve` as a real process on a real database,
// sends a 20,000-person cascade through the sim carrier, kills the process
// with SIGKILL at random moments at least 20 times, restarts it each time,
// and checks at the end: everyone reached, no person handed the same attempt
// twice (the carrier's own log, outside the database, says), the invariants,
// the event log and the audit log intact.
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop: not in -short mode")
	}
	people, kills := 20000, 20
	dir := t.TempDir()
	db, simLog := filepath.Join(dir, "pt.db"), filepath.Join(dir, "carrier.log")
	csv := filepath.Join(dir, "people.csv")
	os.WriteFile(csv, []byte(phonetree(t, "roster", "generate", "--people", fmt.Sprint(people), "--seed", "3")), 0o600)
	phonetree(t, "roster", "import", csv, "--db", db)
	phonetree(t, "send", "--db", db, "--title", "Crash drill", "--mode", "cascade", "--status", "exercise")

	rng := rand.New(rand.NewPCG(7, 7))
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", addr, "--sim-log", simLog,
			"--sim-model", "all-ack", "--sim-speed", "2000", "--insecure-dev")
		cmd.Env = append(os.Environ(), "PHONETREE_TEST_MAIN=1")
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for i := range kills {
		cmd := start()
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		var s engine.Status
		json.Unmarshal([]byte(phonetree(t, "status", "--db", db, "--json")), &s)
		t.Logf("kill %d: %d acked, %d unreached of %d", i+1, s.Acked, s.Unreached, s.People)
	}
	cmd := start()
	defer func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() }()
	var st engine.Status
	deadline := time.Now().Add(3 * time.Minute)
	for {
		json.Unmarshal([]byte(phonetree(t, "status", "--db", db, "--json")), &st)
		if st.State == "done" || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if st.State != "done" || st.Acked != st.Reachable || st.Acked+st.Unreached != people {
		t.Fatalf("after %d kills: %s, %d people, %d reachable, %d acked, %d unreached", kills, st.State, st.People, st.Reachable, st.Acked, st.Unreached)
	}
	checkCarrierLog(t, simLog, kills)
	checkLogs(t, db, simLog)
}

// checkCarrierLog: every key the carrier delivered, it delivered once; a key
// handed over again after a crash was deduplicated, and such re-sends are
// few (bounded by what one crash can leave in flight).
func checkCarrierLog(t *testing.T, path string, kills int) {
	counts, err := sim.ReadLog(path)
	if err != nil {
		t.Fatal(err)
	}
	resent := 0
	for _, n := range counts {
		resent += n - 1
	}
	t.Logf("carrier: %d attempts, %d re-sent after a crash and deduplicated by key", len(counts), resent)
	if resent > kills*200 {
		t.Fatalf("%d re-sends after %d crashes: more than crashes can explain", resent, kills)
	}
}

func checkLogs(t *testing.T, db, simLog string) {
	ctx := context.Background()
	key, _, err := seal.LoadOrCreate(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, _, err := engine.LoadRoster(ctx, st, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := simrun.Check(ctx, st, r, 1, nil, true); err != nil {
		t.Fatalf("invariants after the crash loop: %v", err)
	}
	if out := phonetree(t, "audit", "verify", "--db", db); !strings.Contains(out, "intact") {
		t.Fatalf("audit: %s", out)
	}
}
