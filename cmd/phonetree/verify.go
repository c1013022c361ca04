package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"phonetree/internal/engine"
	"phonetree/internal/store"
)

func verifyCommand() command {
	c := command{name: "verify", usage: "BULLETIN [--json] [--db PATH]",
		summary: "check that a bulletin is genuine: signed by this instance's key and unchanged since (exit 1 if not)",
		example: "phonetree verify 3 --db ./phonetree.db"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		asJSON := fs.Bool("json", false, "print the verdict as one JSON object")
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return usageError{fmt.Sprintf("BULLETIN: %q is not a bulletin number", pos[0])}
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		v, err := engine.New(engine.Config{Store: st, Key: key}).Verify(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("bulletin %d: not found", id)
		} else if err != nil {
			return err
		}
		if *asJSON {
			json.NewEncoder(e.stdout).Encode(v)
		} else if v.Genuine {
			fmt.Fprintf(e.stdout, "bulletin %d %q is genuine: signed by key %s, unchanged\n", id, v.Title, v.Fingerprint)
		}
		if !v.Genuine {
			return fmt.Errorf("bulletin %d is NOT genuine: %s", id, v.Reason)
		}
		return nil
	}
	return c
}
