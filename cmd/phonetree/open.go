package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/sqlite"
	"phonetree/internal/web"
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

// database is what phonetree keeps in a database: the engine's store and
// every optional part of one (accounts, operations, signatures, approvals,
// the audit log), which both backends provide.
type database interface {
	web.Backend
	store.Signatures
	store.Approvals
	store.AuditLog
}

var (
	_ database = (*sqlite.Store)(nil)
	_ database = (*postgres.Store)(nil)
)

// open opens the database (a file, or a postgres:// URL) and the contact-data key.
func (d *dbFlags) open(ctx context.Context, e *env) (database, *seal.Key, error) {
	if d.postgres() {
		key, err := d.key(e)
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

// onDB sets c.run for a command whose only flags are the database flags:
// it parses them, opens the database and the contact-data key, and hands
// both to run, closing the database afterwards.
func (c command) onDB(run func(ctx context.Context, e *env, st database, key *seal.Key) error) command {
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		return run(ctx, e, st, key)
	}
	return c
}

func (d *dbFlags) postgres() bool {
	return strings.HasPrefix(d.db, "postgres://") || strings.HasPrefix(d.db, "postgresql://")
}

// keyFilePath is the contact-data key file: the flag, $PHONETREE_KEY_FILE,
// or DB.key beside the database (phonetree-postgres.key in the current
// directory for PostgreSQL, which has no file to put it beside); "" when
// the key comes from $PHONETREE_KEY.
func (d *dbFlags) keyFilePath(e *env) string {
	switch {
	case d.keyFile != "":
		return d.keyFile
	case e.getenv("PHONETREE_KEY_FILE") != "":
		return e.getenv("PHONETREE_KEY_FILE")
	case e.getenv("PHONETREE_KEY") != "":
		return ""
	case d.postgres():
		return "phonetree-postgres.key"
	}
	return d.db + ".key"
}

// key finds the contact-data key ring: a flag, the environment (keys
// separated by commas, the primary first), or a key file created beside the
// database (with a warning) so that a demo needs no setup.
func (d *dbFlags) key(e *env) (*seal.Key, error) {
	path := d.keyFilePath(e)
	if path == "" {
		key, err := seal.ParseKey(e.getenv("PHONETREE_KEY"))
		if err != nil {
			return nil, fmt.Errorf("PHONETREE_KEY: %w", err)
		}
		return key, nil
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

// keyQuiet is key without the creation warning (for throwaway databases).
func (d *dbFlags) keyQuiet() (*seal.Key, bool, error) {
	return seal.LoadOrCreate(d.db + ".key")
}
