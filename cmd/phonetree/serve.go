package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/sim"
	"phonetree/internal/simrun"
	"phonetree/internal/web"
)

func serveCommand() command {
	c := command{name: "serve", usage: "[--db PATH] [--addr :8080] [--sim-speed X] [--sim-model default|all-ack] [--insecure-dev]",
		summary: "run the server: the dashboard, the API, ack pages and the engine's workers in one process",
		example: "phonetree serve --db ./phonetree.db --addr 127.0.0.1:8080 --insecure-dev --log-format json"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		addr := fs.String("addr", ":8080", "address to listen on")
		baseURL := fs.String("base-url", "", "public URL of this server, for the links in messages (default http://ADDR)")
		insecure := fs.Bool("insecure-dev", false, "cookies without the Secure flag, for plain HTTP during development")
		logFormat := fs.String("log-format", "text", "log format: text or json")
		verbose := fs.Bool("verbose", false, "log every request")
		speed := fs.Float64("sim-speed", 60, "simulated carrier: how much faster than real time the simulated world runs")
		modelName := fs.String("sim-model", "default", "simulated people: default (SIM-MODEL.md) or all-ack (everyone acks the first message)")
		seed := fs.Uint64("sim-seed", 1, "simulated people's seed")
		threshold := fs.Int("approval-threshold", 25, "two-person rule: an actual bulletin to more people than this waits for a second operator's approval (0: off)")
		simLog := fs.String("sim-log", "", "simulated carrier: keep its own record of sends in this file, outside the database, so it deduplicates and owes its replies across restarts")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		if *logFormat != "text" && *logFormat != "json" {
			return usageError{"--log-format: want text or json"}
		}
		model, err := simModel(*modelName)
		if err != nil {
			return err
		}
		if *speed <= 0 {
			return usageError{"--sim-speed: must be positive"}
		}
		log := serveLogger(e.stderr, *logFormat, *verbose)
		st, key, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		if n, err := engine.IndexRosters(ctx, st, key); err != nil {
			return err
		} else if n > 0 {
			log.Info("built the blind index of roster versions imported before it existed", "versions", n)
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		if *baseURL == "" {
			*baseURL = "http://" + ln.Addr().String()
		}
		metrics := web.NewMetrics()
		var srv *web.Server
		car, err := realCarriers(e.getenv, log, func(id int64) string { return srv.AckLink(id) })
		if err != nil {
			return err
		}
		wall := clock.Real{}
		if len(car.providers) > 0 && *speed != 1 {
			log.Warn("real carriers configured: the engine runs on the real clock (--sim-speed 1)", "carriers", car.names)
			*speed = 1
		}
		clk := &clock.Scaled{Start: wall.Now(), Factor: *speed, Wall: wall}
		sp := sim.New(*seed, model, clk)
		if *simLog != "" {
			// the simulated world's time runs on from its first start
			epoch, err := sp.OpenLog(*simLog, wall.Now())
			if err != nil {
				return err
			}
			defer sp.CloseLog()
			clk.Start = epoch
		}
		ps, limits := map[string]provider.Provider{}, map[string]engine.Limit{}
		for _, m := range []string{"sms", "voice", "email", "webhook"} {
			p, l := provider.Provider(sp), simLimits[m]
			if real := car.providers[m]; real != nil {
				p, l = real, car.limits[m]
			}
			ps[m], limits[m] = web.CountProvider(p, m, metrics), l
		}
		links := &lateLinks{}
		eng := engine.New(engine.Config{Store: st, Clock: clk, Key: key, Providers: ps, Limits: limits, Log: log, Batch: 100,
			ApprovalThreshold: *threshold, Links: links})
		srv, err = web.New(web.Config{Store: st, Engine: eng, Key: key, Clock: wall, Log: log, Insecure: *insecure,
			BaseURL: strings.TrimRight(*baseURL, "/"), Metrics: metrics, Hooks: car.hooks(eng)})
		if err != nil {
			return err
		}
		links.srv = srv
		log.Info("phonetree serve", "addr", ln.Addr().String(), "db", db.db, "carriers", append(car.names, "sim (the rest)"), "sim_speed", *speed, "sim_model", *modelName)
		return srv.Serve(ctx, ln,
			func(ctx context.Context) error { return eng.Serve(ctx, 250*time.Millisecond) },
			func(ctx context.Context) error {
				return simrun.Pump(ctx, eng, web.CountSource(sp, metrics), clk, 50*time.Millisecond)
			})
	}
	return c
}

func serveLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opt := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opt))
	}
	return slog.New(slog.NewTextHandler(w, opt))
}

// simModel returns the simulated people's model by name.
func simModel(name string) (sim.Model, error) {
	switch name {
	case "default":
		return sim.DefaultModel(), nil
	case "all-ack":
		return allAckModel(), nil
	}
	return sim.Model{}, usageError{fmt.Sprintf("--sim-model: %q is not default or all-ack", name)}
}

// allAckModel is a world where every message arrives and everyone acks the
// first one within a minute: for tests and demos that must reach 100%.
func allAckModel() sim.Model {
	m := sim.DefaultModel()
	m.SMSFailure, m.SMSAck = 0, 1
	m.SMSLatency, m.SMSRead, m.SMSAckDelay = sim.LogNorm{M: 2, S: 0.3}, sim.LogNorm{M: 10, S: 0.5}, sim.LogNorm{M: 15, S: 0.5}
	m.VoiceAnswer, m.VoiceKey = 1, 1
	m.EmailBounce, m.EmailAtDesk, m.EmailDeskMean, m.EmailAck = 0, 1, 30, 1
	m.ChatOnline, m.ChatMean, m.ChatAck = 1, 30, 1
	m.AckDelay = sim.LogNorm{M: 15, S: 0.5}
	m.CallerForget, m.CallerAnswer, m.CallerMarks = 0, 1, 1
	return m
}

// lateLinks gives the engine the web server's signed links; the server is
// made after the engine it serves.
type lateLinks struct{ srv *web.Server }

func (l *lateLinks) AckLink(attempt int64) string { return l.srv.AckLink(attempt) }
func (l *lateLinks) CallListLink(bulletin int64, caller int32) string {
	return l.srv.CallListLink(bulletin, caller)
}
