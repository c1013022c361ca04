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

// TestWatcher: another process's writes are outside changes, and a batch
// made before one is refused.
func TestWatcher(t *testing.T) {
	path := filepath.Join(t.TempDir(), "phonetree.db")
	var stores [2]store.Store
	for i := range stores {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	storetest.Watcher(t, stores[0], stores[1])
}
