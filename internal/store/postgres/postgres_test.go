package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/audit"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/postgres/pgtest"
	"phonetree/internal/store/storetest"
)

// freshDB is a new database on the test server, dropped when the test ends.
func freshDB(t *testing.T) string { return pgtest.FreshDB(t) }

// TestStore runs the shared store suite on a real PostgreSQL database.
func TestStore(t *testing.T) {
	pgtest.RequireServer(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(t.Context(), freshDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestOpenTogether starts several nodes on one new database at once: each
// migration is applied exactly once and every node works.
func TestOpenTogether(t *testing.T) {
	dbURL := freshDB(t)
	const nodes = 6
	stores := make([]*postgres.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), dbURL) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	for i, s := range stores {
		if _, err := s.RosterVersions(t.Context()); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, versions int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Errorf("schema_migrations: %d rows for %d versions, want one row per version", rows, versions)
	}

	// Opening again applies nothing new.
	s, err := postgres.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var again int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != rows {
		t.Errorf("reopen: %d migrations recorded, want %d", again, rows)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	t.Logf("expected error: %v", err)
}

// TestAuditTwoNodes appends to the audit log from two stores on one
// database, in turn and at once: each store's idea of the newest entry goes
// stale, and the log must still be one chain.
func TestAuditTwoNodes(t *testing.T) {
	dbURL := freshDB(t)
	var nodes [2]*postgres.Store
	for i := range nodes {
		s, err := postgres.Open(t.Context(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		nodes[i] = s
	}
	entry := func(node, i int) []audit.Entry {
		return []audit.Entry{{At: int64(i), Actor: fmt.Sprintf("node:%d", node), Action: "ack", Subject: "bulletin 1"}}
	}
	for i, node := range []int{0, 0, 1, 0, 1, 1, 0} {
		if err := nodes[node].Apply(t.Context(), &store.Batch{Audit: entry(node, i)}); err != nil {
			t.Fatalf("append %d on node %d: %v", i, node, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for node := range nodes {
		for i := range 20 {
			wg.Go(func() { errs <- nodes[node].Apply(t.Context(), &store.Batch{Audit: entry(node, 100+i)}) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var v audit.Verifier
	if err := nodes[1].AuditLog(t.Context(), v.Check); err != nil {
		t.Fatal(err)
	}
	if v.Count() != 47 {
		t.Errorf("%d entries, want 47", v.Count())
	}
}

// TestWatcher: another node's writes are outside changes, and a batch made
// before one is refused.
func TestWatcher(t *testing.T) {
	pgtest.RequireServer(t)
	url := freshDB(t)
	var stores [2]store.Store
	for i := range stores {
		s, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	storetest.Watcher(t, stores[0], stores[1])
}
