package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/sqlite"
)

// dbFlags are the flags of every command that opens a database.
type dbFlags struct {
	db      string
	keyFile string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.db, "db", "./phonetree.db", "database file")
	fs.StringVar(&d.keyFile, "key-file", "", "contact-data key file (default $PHONETREE_KEY_FILE, else $PHONETREE_KEY, else DB.key beside the database)")
}

// open opens the store and the contact-data key.
func (d *dbFlags) open(ctx context.Context, e *env) (store.Store, *seal.Key, error) {
	if strings.HasPrefix(d.db, "postgres://") || strings.HasPrefix(d.db, "postgresql://") {
		// No file to put the key beside: the fallback key file is
		// phonetree-postgres.key in the current directory.
		kd := *d
		kd.db = "phonetree-postgres"
		key, err := kd.key(e)
		if err != nil {
			return nil, nil, err
		}
		st, err := postgres.Open(ctx, d.db)
		if err != nil {
			return nil, nil, err
		}
		return st, key, nil
	}
	key, err := d.key(e)
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlite.Open(ctx, d.db)
	if err != nil {
		return nil, nil, err
	}
	return st, key, nil
}

// key finds the contact-data key: a flag, the environment, or a key file
// created beside the database (with a warning) so that a demo needs no setup.
func (d *dbFlags) key(e *env) (*seal.Key, error) {
	path := d.keyFile
	if path == "" {
		path = e.getenv("PHONETREE_KEY_FILE")
	}
	if path == "" {
		if k := e.getenv("PHONETREE_KEY"); k != "" {
			key, err := seal.ParseKey(k)
			if err != nil {
				return nil, fmt.Errorf("PHONETREE_KEY: %w", err)
			}
			return key, nil
		}
		path = d.db + ".key"
	}
	key, created, err := seal.LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(e.stderr, "phonetree: warning: created a new contact-data key at %s; keep it apart from the database and back it up\n", path)
	}
	return key, nil
}

func newLogger(e *env, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// keyQuiet is key without the creation warning (for throwaway databases).
func (d *dbFlags) keyQuiet() (*seal.Key, bool, error) {
	return seal.LoadOrCreate(d.db + ".key")
}
