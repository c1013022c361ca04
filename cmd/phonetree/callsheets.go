package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
)

func callSheetsCommand() command {
	c := command{name: "roster callsheets", usage: "[--db PATH]",
		summary: "print each caller's call sheet (their callees' numbers) for the binder in the drawer, with the signing key's fingerprint",
		example: "phonetree roster callsheets --db ./phonetree.db > callsheets.txt"}
	return c.onDB(func(ctx context.Context, e *env, st database, key *seal.Key) error {
		r, v, err := engine.LoadRoster(ctx, st, key, 0)
		if err != nil {
			return err
		}
		fp, err := engine.New(engine.Config{Store: st, Key: key}).KeyFingerprint(ctx)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(e.stdout)
		writeCallSheets(w, r, v.ID, fp)
		return w.Flush()
	})
}

// writeCallSheets writes one sheet per caller: who they call, how to reach
// them, and who to call if they cannot reach someone.
func writeCallSheets(w io.Writer, r *roster.Roster, version int64, fingerprint string) {
	t := r.Tree()
	for i := range r.People {
		if len(t.Children[i]) == 0 {
			continue
		}
		p := &r.People[i]
		fmt.Fprintf(w, "CALL SHEET: %s %s (roster version %d)\n", p.ID, p.Name, version)
		fmt.Fprintf(w, "Genuine phonetree messages are signed by key %s and carry the recipient's own word.\n", fingerprint)
		if up := t.Parent[i]; up >= 0 {
			fmt.Fprintf(w, "If you cannot reach someone, tell: %s %s %s\n", r.People[up].ID, r.People[up].Name, phones(&r.People[up]))
		}
		fmt.Fprintf(w, "%-10s %-28s %-16s %-16s %s\n", "id", "name", "mobile", "voice", "email")
		for _, c := range t.Children[i] {
			q := &r.People[c]
			fmt.Fprintf(w, "%-10s %-28s %-16s %-16s %s\n", q.ID, q.Name, q.Mobile, q.Voice, q.Email)
		}
		fmt.Fprintln(w, "\f")
	}
}

func phones(p *roster.Person) string {
	if p.Voice != "" && p.Voice != p.Mobile {
		return p.Mobile + " / " + p.Voice
	}
	return p.Mobile
}

func walletCardsCommand() command {
	c := command{name: "roster cards", usage: "[--id ID] [--hotline NUMBER] [--db PATH]",
		summary: "print wallet cards: each person's anti-phishing word, the hotline and the signing key's fingerprint",
		example: "phonetree roster cards --hotline +13105550000 --db ./phonetree.db > cards.txt"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		only := fs.String("id", "", "only this person's card")
		hotline := fs.String("hotline", e.getenv("PHONETREE_HOTLINE"), "the number to call or text STATUS (default $PHONETREE_HOTLINE)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		r, _, err := engine.LoadRoster(ctx, st, key, 0)
		if err != nil {
			return err
		}
		if *only != "" {
			if _, ok := r.Index(*only); !ok {
				return usageError{fmt.Sprintf("--id: no person %q in the current roster", *only)}
			}
		}
		fp, err := engine.New(engine.Config{Store: st, Key: key}).KeyFingerprint(ctx)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(e.stdout)
		for i := range r.People {
			if p := &r.People[i]; *only == "" || p.ID == *only {
				writeWalletCard(w, p, *hotline, fp)
			}
		}
		return w.Flush()
	}
	return c
}

// writeWalletCard writes one person's card.
func writeWalletCard(w io.Writer, p *roster.Person, hotline, fingerprint string) {
	fmt.Fprintf(w, "PHONETREE: %s (%s)\n", p.Name, p.ID)
	fmt.Fprintf(w, "  Your word: %s\n  A message without your word is not from us.\n", p.Word)
	if hotline != "" {
		fmt.Fprintf(w, "  Hotline: call or text STATUS to %s\n", hotline)
	}
	fmt.Fprintf(w, "  Signing key: %s\n\f\n", fingerprint)
}
