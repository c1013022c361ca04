package main

import (
	"os"

	"context"
	"errors"
	"fmt"
	"golang.org/x/term"
	"io"
	"net"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/web"
)

// dashboard is the demo's live dashboard: a web server on a free local
// port, with an admin account reachable through a one-time login link.
type dashboard struct {
	url   string
	stop  context.CancelFunc
	done  chan error
	after func() error // once the server has stopped
}

// startDashboard serves the dashboard for eng's store until stop is called.
func startDashboard(ctx context.Context, w io.Writer, st store.Store, eng *engine.Engine, key *seal.Key) (*dashboard, error) {
	backend, ok := st.(web.Backend)
	if !ok {
		return nil, errors.New("the demo database holds no operator accounts")
	}
	password, _, err := auth.NewSecret("", 12)
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	u := &store.User{Name: "demo", Role: string(auth.Admin), PasswordHash: hash, TOTPSealed: key.Seal(secret, web.TOTPAD("demo")),
		CreatedAt: time.Now().UnixNano()}
	if err := backend.AddUser(ctx, u); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	srv, err := web.New(web.Config{Store: backend, Engine: eng, Key: key, Clock: clock.Real{}, Insecure: true,
		BaseURL: base, LivePoll: 500 * time.Millisecond})
	if err != nil {
		ln.Close()
		return nil, err
	}
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	d := &dashboard{url: base, stop: stop, done: make(chan error, 1)}
	go func() { d.done <- srv.Serve(sctx, ln) }()
	fmt.Fprintf(w, "Live dashboard: %s\n  log in once with: %s\n  (or as demo / %s with TOTP secret %s)\n\n",
		base, srv.LoginLink(u, 30*time.Minute), password, auth.TOTPBase32(secret))
	return d, nil
}

// close stops the server and waits for it.
func (d *dashboard) close() error {
	d.stop()
	err := <-d.done
	if d.after != nil {
		err = errors.Join(err, d.after())
	}
	return err
}

// pace slows a simulated run to speed virtual seconds per wall second, so
// a person can watch it; it returns a Progress hook.
func pace(speed float64, start time.Time) func(now time.Time) {
	wallStart := time.Now()
	return func(now time.Time) {
		want := time.Duration(float64(now.Sub(start)) / speed)
		if ahead := want - time.Since(wallStart); ahead > 0 {
			time.Sleep(min(ahead, 2*time.Second))
		}
	}
}

// isTTY reports whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
