package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/store"
)

func tokenCreateCommand() command {
	c := command{name: "token create", usage: "--user NAME [--name LABEL] [--expires 90d] [--db PATH]",
		summary: "create an API token acting as an operator (with their role); it is printed once and stored hashed",
		example: "phonetree token create --user ana --name monitoring --expires 30d"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		user := fs.String("user", "", "the operator the token acts as (required)")
		label := fs.String("name", "", "what the token is for")
		expires := fs.String("expires", "", "lifetime, e.g. 12h or 90d (default never)")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		if *user == "" {
			return usageError{"--user: required"}
		}
		life, err := parseLifetime(*expires)
		if err != nil {
			return err
		}
		acc, _, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer acc.Close()
		u, err := acc.UserByName(ctx, *user)
		if err != nil {
			return fmt.Errorf("--user: %w", err)
		}
		secret, hash, err := auth.NewSecret("pt_", 32)
		if err != nil {
			return err
		}
		now := time.Now()
		t := &store.Token{Hash: hash, User: u.ID, Name: *label, CreatedAt: now.UnixNano()}
		if life > 0 {
			t.ExpiresAt = now.Add(life).UnixNano()
		}
		if err := acc.AddToken(ctx, t); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "token %d for %s (%s); it is shown only now:\n", t.ID, u.Name, u.Role)
		fmt.Fprintln(e.stdout, secret)
		return nil
	}
	return c
}

func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && s[len(s)-1] == 'd' && n > 0 {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageError{fmt.Sprintf("--expires: %q is not a lifetime like 12h or 90d", s)}
	}
	return d, nil
}

func tokenRevokeCommand() command {
	c := command{name: "token revoke", usage: "ID [--db PATH]",
		summary: "revoke an API token by its number",
		example: "phonetree token revoke 3"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return usageError{fmt.Sprintf("ID: %q is not a token number", pos[0])}
		}
		acc, _, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer acc.Close()
		if err := acc.RevokeToken(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %d revoked\n", id)
		return nil
	}
	return c
}
