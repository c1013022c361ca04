package postgres_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"testing"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
)

// TestDumpRevealsNoContactData imports a generated roster, sends a
// bulletin, and greps a pg_dump of the database for every number and email.
func TestDumpRevealsNoContactData(t *testing.T) {
	dbURL := freshDB(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Fatal("pg_dump is not installed (Debian: postgresql-client)")
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var csv bytes.Buffer
	roster.Generate(&csv, 300, 9)
	r, rep, err := roster.Parse(&csv, roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Errors)
	}
	key, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.SaveRoster(ctx, st, key, r, &store.RosterVersion{CreatedAt: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.New(engine.Config{Store: st, Key: key}).Send(ctx, engine.Bulletin{Title: "t", Status: "exercise"}); err != nil {
		t.Fatal(err)
	}
	dump, err := exec.Command("pg_dump", "--data-only", dbURL).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte("roster_chunks")) {
		t.Fatal("the dump holds no roster data: the test would prove nothing")
	}
	for _, p := range r.People {
		for _, v := range []string{p.Mobile, p.Voice, p.Email} {
			// bytea columns dump as hex: look for both forms
			if v != "" && (bytes.Contains(dump, []byte(v)) || bytes.Contains(dump, []byte(hex.EncodeToString([]byte(v))))) {
				t.Fatalf("%q of %s is readable in a dump of the database", v, p.ID)
			}
		}
	}
}
