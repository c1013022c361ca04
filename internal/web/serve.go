package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownTimeout bounds how long in-flight requests get to finish.
const ShutdownTimeout = 4 * time.Second

// Serve serves HTTP on ln, with the server's own background work and the
// given workers (the engine, the simulated carrier's pump), until ctx ends.
// It then shuts down in order: stop being ready, let in-flight requests
// finish (live views are told to close), record the acks still queued, and
// only then stop the workers, each finishing the step it is in.
func (s *Server) Serve(ctx context.Context, ln net.Listener, workers ...func(context.Context) error) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn)}
	hs.RegisterOnShutdown(s.closeLive)
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	errs := make(chan error, len(workers)+2)
	for _, w := range workers {
		wg.Go(func() {
			if err := w(workCtx); err != nil {
				errs <- err
			}
		})
	}
	ackCtx, stopAcks := context.WithCancel(context.WithoutCancel(ctx))
	acksDone := make(chan struct{})
	go func() {
		defer close(acksDone)
		s.Run(ackCtx)
	}()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s.cfg.Log.Info("serving", "addr", ln.Addr().String())
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	case err = <-errs:
	}
	s.cfg.Log.Info("shutting down")
	s.SetReady(false)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil {
		s.cfg.Log.Warn("requests still running at shutdown", "err", serr)
		hs.Close()
	}
	stopAcks()
	<-acksDone
	stopWork()
	wg.Wait()
	s.cfg.Log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
