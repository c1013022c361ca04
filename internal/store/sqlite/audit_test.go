package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"phonetree/internal/audit"
	"phonetree/internal/store"
)

func TestAuditEditIsFound(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 3 { // three transactions, chained across them
		b := &store.Batch{}
		for j := range 4 {
			b.Audit = append(b.Audit, audit.Entry{At: int64(i*10 + j), Actor: "cli:test", Action: "ack", Subject: "bulletin 1"})
		}
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() error {
		var v audit.Verifier
		return s.AuditLog(ctx, v.Check)
	}
	if err := verify(); err != nil {
		t.Fatalf("untouched log: %v", err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit SET actor = 'cli:mallory' WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	if err := verify(); err == nil || !strings.Contains(err.Error(), "entry 7") {
		t.Fatalf("edited entry 7: got %v", err)
	}
}
