package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/provider/failover"
	"phonetree/internal/provider/smtp"
	"phonetree/internal/provider/twilio"
	"phonetree/internal/provider/webhook"
)

// carriers are the real providers configured in the environment
// (docs/providers.md); methods without one fall back to the simulator.
type carriers struct {
	providers map[string]provider.Provider
	limits    map[string]engine.Limit
	twilio    []*twilio.Provider // whose webhooks to mount
	names     []string
}

// realCarriers builds the providers the environment configures. link gives
// the signed ack link of an attempt (set once the web server exists).
func realCarriers(getenv func(string) string, log *slog.Logger, link func(int64) string) (*carriers, error) {
	c := &carriers{providers: map[string]provider.Provider{}, limits: map[string]engine.Limit{}}
	wall := clock.Real{}
	if getenv("PHONETREE_TWILIO_ACCOUNT_SID") != "" {
		cfg, err := twilio.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		cfg.Clock, cfg.Log = wall, log
		tw, err := twilio.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("twilio: %w", err)
		}
		c.twilio = append(c.twilio, tw)
		var sms provider.Provider = tw
		if getenv("PHONETREE_TWILIO_FAILOVER_ACCOUNT_SID") != "" {
			cfg2, err := twilio.ConfigFromEnvPrefix(getenv, "PHONETREE_TWILIO_FAILOVER_")
			if err != nil {
				return nil, err
			}
			cfg2.Clock, cfg2.Log, cfg2.Name, cfg2.HookPath = wall, log, "twilio-failover", "/hooks/twilio-failover"
			tw2, err := twilio.New(cfg2)
			if err != nil {
				return nil, fmt.Errorf("twilio failover: %w", err)
			}
			c.twilio = append(c.twilio, tw2)
			if sms, err = failover.New(failover.Config{Primary: tw, Secondary: tw2, Clock: wall, Log: log}); err != nil {
				return nil, err
			}
		}
		tc := tw.Config()
		c.providers["sms"], c.providers["voice"] = sms, tw
		c.limits["sms"] = engine.Limit{Rate: float64(tc.Senders()) * tc.SMSPerSecond, Burst: 1}
		c.limits["voice"] = engine.Limit{Rate: tc.CallsPerSecond, Burst: 1}
		c.names = append(c.names, "twilio (sms, voice)")
	}
	if getenv("PHONETREE_SMTP_HOST") != "" {
		cfg, err := smtp.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		cfg.Link = link
		p, err := smtp.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		c.providers["email"] = p
		c.names = append(c.names, "smtp (email)")
	}
	if getenv("PHONETREE_WEBHOOK_URL") != "" {
		cfg := webhook.ConfigFromEnv(getenv)
		cfg.Link, cfg.Clock, cfg.Log = link, wall, log
		p, err := webhook.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("webhook: %w", err)
		}
		c.providers["webhook"] = p
		c.names = append(c.names, "webhook")
	}
	return c, nil
}

// hooks are the carriers' webhook handlers, by mount pattern.
func (c *carriers) hooks(eng *engine.Engine) map[string]http.Handler {
	out := map[string]http.Handler{}
	for _, tw := range c.twilio {
		out[tw.Config().HookPath+"/"] = tw.Handler(twilio.Hooks{Deliver: eng.Deliver, Replies: replies{eng}, Hotline: hotline{eng}, CallLists: callLists{eng}})
	}
	return out
}

// replies and hotline adapt the engine's lookups to the Twilio handler.
type replies struct{ eng *engine.Engine }

func (r replies) LatestAttempt(ctx context.Context, phone string) (twilio.Open, bool, error) {
	rep, ok, err := r.eng.LatestReplyTarget(ctx, phone)
	return twilio.Open{AttemptID: rep.AttemptID, Responses: rep.Responses}, ok, err
}

type callLists struct{ eng *engine.Engine }

func (c callLists) LatestCallList(ctx context.Context, phone string) (twilio.CallList, bool, error) {
	cl, ok, err := c.eng.LatestCallList(ctx, phone)
	return twilio.CallList{Bulletin: cl.Bulletin, Callees: cl.Callees}, ok, err
}

type hotline struct{ eng *engine.Engine }

func (h hotline) LatestFor(ctx context.Context, phone string) (twilio.HotlineMessage, bool, error) {
	en, ok, err := h.eng.LatestFor(ctx, phone)
	return twilio.HotlineMessage{Text: en.Text, Script: en.Script, PIN: en.PIN, Language: en.Language}, ok, err
}
