// Package sqlite is the embedded store: one SQLite file in WAL mode, pure Go
// (modernc.org/sqlite). One connection writes; a small pool reads.
package sqlite

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver

	"phonetree/internal/store"
)

//go:embed schema.sql
var schema string

//go:embed accounts.sql
var accountsSchema string

//go:embed audit.sql
var auditSchema string

//go:embed signing.sql
var signingSchema string

//go:embed compact.sql
var compactSchema string

//go:embed schedule.sql
var scheduleSchema string

//go:embed approvals.sql
var approvalsSchema string

//go:embed index.sql
var indexSchema string

// migrations are applied in order, forward only; index+1 is the user_version.
var migrations = []string{schema, accountsSchema, auditSchema, signingSchema, approvalsSchema, indexSchema, scheduleSchema, compactSchema}

// Store is a SQLite-backed store.Store.
type Store struct {
	w    *sql.DB // the single writer
	r    *sql.DB // readers
	path string
	ckpt *checkpointer
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(ON)", "cache_size(-16384)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)&_txlock=immediate", backstopPages))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	s := &Store{w: w, r: r, path: path, ckpt: startCheckpointer(r)}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this phonetree (%d)", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.ckpt.close()
	return errors.Join(s.w.Close(), s.r.Close())
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.ckpt.wrote()
	return nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return err
}

// ExternalChanges is SQLite's data_version on the writing connection: it
// changes when any other connection, in this process or another, commits.
func (s *Store) ExternalChanges(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.w.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}
