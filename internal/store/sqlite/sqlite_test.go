package sqlite_test

import (
	"path/filepath"
	"testing"

	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
	"phonetree/internal/store/storetest"
)

// TestStore runs the shared store suite on a real SQLite file.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "phonetree.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
