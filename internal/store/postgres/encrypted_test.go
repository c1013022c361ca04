package postgres_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/auth"
	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/postgres/pgtest"
	"phonetree/internal/store/storetest"
	"phonetree/internal/web"
)

// TestDumpRevealsNoContactData imports a generated roster, sends a
// bulletin, adds operators, and greps a pg_dump of the database for every
// number, email and name, and every operator's TOTP secret; the blind index
// holds only keyed HMACs of the numbers.
func TestDumpRevealsNoContactData(t *testing.T) {
	dbURL := freshDB(t)
	pgDump := pgtest.Tool(t, "pg_dump")
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
	checkIndexIsHMACs(t, dbURL, key, r)
	if _, err := engine.New(engine.Config{Store: st, Key: key}).Send(ctx, engine.Bulletin{Title: "t", Status: "exercise"}); err != nil {
		t.Fatal(err)
	}
	var users []*store.User
	var secrets [][]byte
	for _, name := range []string{"ana", "bo"} {
		secret, _ := auth.NewTOTPSecret()
		u := &store.User{Name: name, Role: "admin", PasswordHash: "h", TOTPSealed: key.Seal(secret, web.TOTPAD(name))}
		if err := st.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		users, secrets = append(users, u), append(secrets, secret)
	}

	dump, err := exec.Command(pgDump, "--data-only", dbURL).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	// bytea columns dump as hex: look for both forms
	readable := func(v []byte) bool {
		return bytes.Contains(dump, v) || bytes.Contains(dump, []byte(hex.EncodeToString(v)))
	}
	if !bytes.Contains(dump, []byte("roster_chunks")) || !readable(users[0].TOTPSealed) {
		t.Fatal("the dump holds no roster data or no users: the test would prove nothing")
	}
	for _, p := range r.People {
		for _, v := range []string{p.Mobile, p.Voice, p.Email, p.Name} {
			if v != "" && readable([]byte(v)) {
				t.Fatalf("%q of %s is readable in a dump of the database", v, p.ID)
			}
		}
	}
	for i, secret := range secrets {
		if readable(secret) || readable([]byte(auth.TOTPBase32(secret))) {
			t.Fatalf("%s's TOTP secret is readable in a dump of the database", users[i].Name)
		}
	}
}

// checkIndexIsHMACs reads the blind index table of the database at dbURL:
// its records are exactly the keyed HMACs of the roster's numbers.
func checkIndexIsHMACs(t *testing.T, dbURL string, key *seal.Key, r *roster.Roster) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), `SELECT version, bucket, data FROM contact_index`)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowToStructByPos[store.IndexRow])
	if err != nil || len(stored) < 200 {
		t.Fatalf("the blind index has %d buckets (%v): the test would prove little", len(stored), err)
	}
	storetest.CheckIndexRows(t, stored, r.People, key.Index)
}
