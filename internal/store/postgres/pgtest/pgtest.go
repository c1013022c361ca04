// Package pgtest gives tests a fresh PostgreSQL database: on the server
// named by $PHONETREE_TEST_POSTGRES, else a local one with trust
// authentication. Where no server answers, tests skip, except in CI (CI
// set), where they fail: CI must never skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// AdminURL is the server the tests use: $PHONETREE_TEST_POSTGRES, else a
// local PostgreSQL with trust authentication.
func AdminURL() string {
	if u := os.Getenv("PHONETREE_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// reach is whether the test server answered, tried once.
var reach struct {
	once sync.Once
	err  error
}

// RequireServer skips the test when the PostgreSQL server does not answer,
// except in CI (CI set), where it fails.
func RequireServer(t testing.TB) {
	t.Helper()
	reach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, AdminURL())
		if err == nil {
			c.Close(ctx)
		}
		reach.err = err
	})
	switch {
	case reach.err == nil:
	case os.Getenv("CI") != "":
		t.Fatalf("PostgreSQL at %s: %v (CI must not skip)", AdminURL(), reach.err)
	default:
		t.Skipf("PostgreSQL not reachable at %s (set PHONETREE_TEST_POSTGRES): %v", AdminURL(), reach.err)
	}
}

// FreshDB creates a database with a random name, dropped when the test
// ends, and returns its URL.
func FreshDB(t testing.TB) string {
	t.Helper()
	RequireServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", AdminURL(), err)
	}
	defer admin.Close(context.Background())
	name := "phonetree_test_" + rand.Text()[:12]
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err == nil {
			_, err = admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			admin.Close(ctx)
		}
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Tool finds a PostgreSQL client program (pg_dump, psql) on $PATH or in
// Debian's /usr/lib/postgresql/*/bin, or skips the test (fails in CI).
func Tool(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if ps, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name); len(ps) > 0 {
		return ps[len(ps)-1]
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (Debian: postgresql-client; CI must not skip)", name)
	}
	t.Skipf("%s is not installed (Debian: postgresql-client)", name)
	return ""
}
