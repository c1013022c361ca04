// Package failover carries one contact method through two providers (two
// SMS accounts, say): the primary while it works, the secondary when the
// primary fails or its circuit is open. An attempt moves to the other
// provider only when the first surely did not take it (its error has a
// NotSent method reporting true), so nobody gets the same attempt twice; an
// ambiguous failure (a timeout after the request went out) is returned for
// the engine to retry later, and counts against the circuit.
package failover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

// Config configures a failover pair. Zero values get the defaults noted.
type Config struct {
	Primary, Secondary provider.Provider
	// Threshold is how many failures in a row open a provider's circuit
	// (default 3). While open, the provider is tried only after the other.
	Threshold int
	// Cooldown is how long a circuit stays open before one trial send
	// (default 1 minute).
	Cooldown time.Duration
	Clock    clock.Clock
	Log      *slog.Logger
}

// Provider is a failover pair. It is safe for concurrent use.
type Provider struct {
	cfg   Config
	provs [2]provider.Provider
	mu    sync.Mutex
	state [2]circuit
}

// circuit is one provider's health: failures in a row, and until when it is
// open (zero: closed).
type circuit struct {
	fails     int
	openUntil time.Time
}

// New returns the pair.
func New(cfg Config) (*Provider, error) {
	if cfg.Primary == nil || cfg.Secondary == nil {
		return nil, errors.New("failover: need a primary and a secondary provider")
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 3
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, provs: [2]provider.Provider{cfg.Primary, cfg.Secondary}}, nil
}

// Name names both providers.
func (p *Provider) Name() string {
	return fmt.Sprintf("failover(%s,%s)", p.provs[0].Name(), p.provs[1].Name())
}

// Idempotent only if both are: a re-sent attempt may land on either.
func (p *Provider) Idempotent() bool { return p.provs[0].Idempotent() && p.provs[1].Idempotent() }

// NotSent reports whether err says the provider surely did not take the
// message (see twilio.NotSentError).
func NotSent(err error) bool {
	var ns interface{ NotSent() bool }
	return errors.As(err, &ns) && ns.NotSent()
}

// Send tries the providers in order of health, moving on only after a
// failure that surely sent nothing.
func (p *Provider) Send(ctx context.Context, m provider.Message) (string, error) {
	var errs []error
	for _, i := range p.order() {
		id, err := p.provs[i].Send(ctx, m)
		if err == nil {
			p.succeeded(i)
			return id, nil
		}
		kind := provider.Classify(err)
		if kind == provider.Permanent {
			return "", err // the address, not the provider: the other would fail too
		}
		if kind == provider.Retry {
			p.failed(i, err)
		}
		if !NotSent(err) {
			return "", err
		}
		errs = append(errs, err)
	}
	return "", p.combine(errs)
}

// order is the primary first unless its circuit is open and the
// secondary's is not.
func (p *Provider) order() [2]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Clock.Now()
	if now.Before(p.state[0].openUntil) && !now.Before(p.state[1].openUntil) {
		return [2]int{1, 0}
	}
	return [2]int{0, 1}
}

func (p *Provider) failed(i int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &p.state[i]
	c.fails++
	now := p.cfg.Clock.Now()
	if c.fails >= p.cfg.Threshold && !now.Before(c.openUntil) {
		c.openUntil = now.Add(p.cfg.Cooldown)
		p.cfg.Log.Warn("provider circuit opened", "provider", p.provs[i].Name(), "failures", c.fails,
			"until", c.openUntil, "err", err)
	}
}

func (p *Provider) succeeded(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &p.state[i]
	if c.fails >= p.cfg.Threshold {
		p.cfg.Log.Info("provider circuit closed", "provider", p.provs[i].Name())
	}
	*c = circuit{}
}

// combine reports both failures as one: rate limited with the sooner retry
// if either was only busy, else retry.
func (p *Provider) combine(errs []error) error {
	out := &provider.Error{Kind: provider.Retry, Err: errors.Join(errs...)}
	for _, err := range errs {
		var pe *provider.Error
		if errors.As(err, &pe) && pe.Kind == provider.RateLimited {
			if out.Kind != provider.RateLimited || pe.RetryAfter < out.RetryAfter {
				out.Kind, out.RetryAfter = provider.RateLimited, pe.RetryAfter
			}
		}
	}
	return out
}

// Open reports whether provider i's (0 primary, 1 secondary) circuit is open.
func (p *Provider) Open(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Clock.Now().Before(p.state[i].openUntil)
}
