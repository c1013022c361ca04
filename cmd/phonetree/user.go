package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"phonetree/internal/auth"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/web"
)

func userAddCommand() command {
	c := command{name: "user add", usage: "NAME --role admin|commander|approver|caller|viewer [--password-stdin] [--db PATH]",
		summary: "add an operator account: a password (asked for, or read from standard input) and a TOTP secret to put in an authenticator app",
		example: "phonetree user add ana --role commander --db ./phonetree.db"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		roleName := fs.String("role", "", "the account's role (required): admin, commander, approver, caller or viewer")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		role, err := auth.ParseRole(*roleName)
		if err != nil {
			return usageError{"--role: " + err.Error()}
		}
		name := strings.TrimSpace(pos[0])
		if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
			return usageError{"NAME: 1 to 64 characters, no spaces"}
		}
		password, err := readPassword(e, *fromStdin)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		acc, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer acc.Close()
		secret, err := auth.NewTOTPSecret()
		if err != nil {
			return err
		}
		u := &store.User{Name: name, Role: string(role), PasswordHash: hash, TOTPSealed: key.Seal(secret, web.TOTPAD(name)),
			CreatedAt: time.Now().UnixNano()}
		if err := acc.AddUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s)\n", name, role)
		fmt.Fprintf(e.stdout, "TOTP secret (enter it in an authenticator app): %s\n", auth.TOTPBase32(secret))
		fmt.Fprintf(e.stdout, "or as a URI (for a QR code): %s\n", auth.TOTPURI("phonetree", name, secret))
		return nil
	}
	return c
}

// readPassword reads a password from the terminal (twice) or standard input.
func readPassword(e *env, fromStdin bool) (string, error) {
	if fromStdin || !term.IsTerminal(int(os.Stdin.Fd())) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("password: nothing on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(e.stderr, "Password (at least 12 characters): ")
	p1, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(e.stderr, "Again: ")
	p2, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", err
	}
	if string(p1) != string(p2) {
		return "", errors.New("password: the two entries differ")
	}
	return string(p1), nil
}

func userListCommand() command {
	c := command{name: "user list", usage: "[--db PATH]",
		summary: "list operator accounts and their roles",
		example: "phonetree user list --db ./phonetree.db"}
	return c.onDB(func(ctx context.Context, e *env, acc database, _ *seal.Key) error {
		us, err := acc.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tSTATE")
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, time.Unix(0, u.CreatedAt).UTC().Format(time.DateTime), state)
		}
		return tw.Flush()
	})
}
