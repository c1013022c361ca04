package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"phonetree/internal/rekey"
	"phonetree/internal/seal"
	"phonetree/internal/store"
)

func keyRotateCommand() command {
	c := command{name: "key rotate", usage: "[--resume | --finish] [--db PATH] [--key-file PATH]",
		summary: "rotate the contact-data key: put a new key first in the key file and re-seal everything under it while the server runs; --finish then drops the old keys",
		example: "phonetree key rotate --db ./phonetree.db    # and once its links have expired: phonetree key rotate --finish --db ./phonetree.db"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		resume := fs.Bool("resume", false, "re-seal with the current primary key, without making a new one (finishes an interrupted rotation)")
		finish := fs.Bool("finish", false, "drop the previous keys from the key file, once nothing is sealed with them; links sent before the rotation (valid 7 days by default) stop working")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		if *resume && *finish {
			return usageError{"--resume and --finish: choose one"}
		}
		path := db.keyFilePath(e)
		if path == "" {
			return errors.New("key rotate: the key comes from $PHONETREE_KEY, which phonetree cannot rewrite; " +
				"write it to a file (mode 0600), point --key-file or $PHONETREE_KEY_FILE at it, and rotate again")
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("key rotate: key file: %w", err)
		}
		unlock, err := lockKeyFile(path)
		if err != nil {
			return err
		}
		defer unlock()
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		switch {
		case *finish:
			return retireKeys(ctx, e, st, key, path)
		case !*resume:
			next, err := key.Rotated()
			if err != nil {
				return err
			}
			if err := next.WriteFile(path); err != nil {
				return err
			}
			if key.Refresh(); key.IDs()[0] != next.IDs()[0] {
				return fmt.Errorf("key rotate: %s does not hold the new key after writing it", path)
			}
			fmt.Fprintf(e.stderr, "key rotate: new primary key %s written to %s; previous keys %s kept\n",
				key.IDs()[0], path, strings.Join(key.IDs()[1:], ", "))
		}
		if err := rekey.Reseal(ctx, st, key, e.stderr); err != nil {
			return fmt.Errorf("key rotate: %w (run `phonetree key rotate --resume` to carry on)", err)
		}
		fmt.Fprintf(e.stdout, "everything is sealed with key %s. Once links sent before now have expired, run `phonetree key rotate --finish` to drop the previous keys.\n", key.IDs()[0])
		return nil
	}
	return c
}

// retireKeys drops the previous keys from the key file at path, unless
// something is still sealed with them.
func retireKeys(ctx context.Context, e *env, st store.Store, key *seal.Key, path string) error {
	ids := key.IDs()
	if len(ids) == 1 {
		fmt.Fprintf(e.stdout, "%s holds one key (%s): nothing to retire\n", path, ids[0])
		return nil
	}
	items, err := rekey.Inventory(ctx, st, key)
	if err != nil {
		return err
	}
	var left []string
	for _, it := range items {
		if it.Key != ids[0] {
			left = append(left, fmt.Sprintf("%s (key %s)", it.What, orNone(it.Key)))
		}
	}
	if len(left) > 0 {
		more := ""
		if len(left) > 5 {
			left, more = left[:5], fmt.Sprintf(" and %d more", len(left)-5)
		}
		return fmt.Errorf("key rotate --finish: %s%s not sealed with the primary key %s; run `phonetree key rotate --resume` first",
			strings.Join(left, ", "), more, ids[0])
	}
	if err := key.Retired().WriteFile(path); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "retired keys %s; %s holds only %s\n", strings.Join(ids[1:], ", "), path, ids[0])
	return nil
}

func keyStatusCommand() command {
	c := command{name: "key status", usage: "[--db PATH] [--key-file PATH]",
		summary: "show the contact-data keys (their ids, never the keys) and how many sealed values each holds",
		example: "phonetree key status --db ./phonetree.db"}
	return c.onDB(func(ctx context.Context, e *env, st database, key *seal.Key) error {
		items, err := rekey.Inventory(ctx, st, key)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, it := range items {
			count[it.Key]++
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tROLE\tSEALED VALUES")
		for i, id := range key.IDs() {
			role := "previous"
			if i == 0 {
				role = "primary"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\n", id, role, count[id])
		}
		if n := count[""]; n > 0 {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", orNone(""), "sealed before key ids, or by a key not in the file", n)
		}
		return tw.Flush()
	})
}

func orNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// lockKeyFile makes sure one rotation at a time rewrites the key file: two
// at once could each drop the key the other is sealing with.
func lockKeyFile(path string) (unlock func(), err error) {
	lock := path + ".rotating"
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("key rotate: %s exists: another rotation is running, or one was killed (then remove it and run `phonetree key rotate --resume`)", lock)
	}
	if err != nil {
		return nil, fmt.Errorf("key rotate: %w", err)
	}
	f.Close()
	return func() { os.Remove(lock) }, nil
}
