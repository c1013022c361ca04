package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
	"phonetree/internal/store/storetest"
)

// TestDatabaseRevealsNoContactData greps the raw SQLite files for every
// number and email of a generated roster, and its unkeyed hash, after
// import; the blind index holds only keyed HMACs of the numbers.
func TestDatabaseRevealsNoContactData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "pt.db")
	var csv bytes.Buffer
	if err := roster.Generate(&csv, 400, 5); err != nil {
		t.Fatal(err)
	}
	r, rep, err := roster.Parse(bytes.NewReader(csv.Bytes()), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Errors)
	}
	key, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.SaveRoster(ctx, st, key, r, &store.RosterVersion{}); err != nil {
		t.Fatal(err)
	}
	checkIndexIsHMACs(t, path, key, r)
	st.Close()
	var files []byte
	matches, _ := filepath.Glob(path + "*")
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b...)
	}
	checked := 0
	for _, p := range r.People {
		for _, v := range []string{p.Mobile, p.Voice, p.Email, p.Name} {
			if v == "" {
				continue
			}
			checked++
			hash := sha256.Sum256([]byte(v))
			if bytes.Contains(files, []byte(v)) || bytes.Contains(files, hash[:16]) {
				t.Fatalf("%q of %s is readable in the database files", v, p.ID)
			}
		}
	}
	if checked < 400 {
		t.Fatalf("only %d values checked", checked)
	}
}

// checkIndexIsHMACs reads the blind index table of the SQLite file at path:
// its records are exactly the keyed HMACs of the roster's numbers.
func checkIndexIsHMACs(t *testing.T, path string, key *seal.Key, r *roster.Roster) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT version, bucket, data FROM contact_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []store.IndexRow
	for rows.Next() {
		var row store.IndexRow
		if err := rows.Scan(&row.Version, &row.Bucket, &row.Data); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, row)
	}
	if err := rows.Err(); err != nil || len(stored) < 300 {
		t.Fatalf("the blind index has %d buckets (%v): the test would prove little", len(stored), err)
	}
	storetest.CheckIndexRows(t, stored, r.People, key.Index)
}
