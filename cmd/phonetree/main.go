// Command phonetree is the incident phone tree: roster, bulletins, cascade
// engine, server and simulator in one binary. Run `phonetree help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // arguments after the name
	example string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what commands read and write: standard streams and the environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() []command {
	return []command{
		demoCommand(), benchCommand(), sendCommand(), statusCommand(),
		rosterImportCommand(), rosterCheckCommand(), rosterExportCommand(), rosterDiffCommand(),
		rosterGenerateCommand(), treeShowCommand(), simCommand(),
		serveCommand(), userAddCommand(), userListCommand(), tokenCreateCommand(), tokenRevokeCommand(),
		auditVerifyCommand(), auditExportCommand(), keyRotateCommand(), keyStatusCommand(), planCommand(), verifyCommand(), callSheetsCommand(), walletCardsCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "phonetree:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(e.stdout)
		return nil
	}
	cmds := commands()
	for _, n := range []int{2, 1} {
		if len(args) < n {
			continue
		}
		name := strings.Join(args[:n], " ")
		for _, c := range cmds {
			if c.name == name {
				return c.run(ctx, e, args[n:])
			}
		}
	}
	return usageError{fmt.Sprintf("unknown command %q; run `phonetree help` for the list", strings.Join(args, " "))}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "phonetree: the incident phone tree that works when your network is owned.")
	fmt.Fprintln(w, "\nUsage: phonetree COMMAND [flags] (flags may come before or after arguments)\n\nCommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `phonetree COMMAND --help` for a command's flags and an example.")
}

// flags makes a command's flag set with a usage text that shows an example.
func (c command) flags(e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: phonetree %s %s\n\n%s\n\nFlags:\n", c.name, c.usage, c.summary)
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\nExample:\n  %s\n", c.example)
	}
	return fs
}

// parse parses flags that may come before or after positional arguments and
// checks the number of positional arguments.
func parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		fs.Usage()
		return nil, usageError{fmt.Sprintf("%s: wrong number of arguments (%d)", fs.Name(), len(pos))}
	}
	return pos, nil
}
