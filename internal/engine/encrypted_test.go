package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

// TestDatabaseRevealsNoContactData greps the raw SQLite files for every
// number and email of a generated roster, after import and a run.
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
			if bytes.Contains(files, []byte(v)) {
				t.Fatalf("%q of %s is readable in the database files", v, p.ID)
			}
		}
	}
	if checked < 400 {
		t.Fatalf("only %d values checked", checked)
	}
}
