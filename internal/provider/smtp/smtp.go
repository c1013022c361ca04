// Package smtp carries email attempts through an SMTP relay
// (github.com/wneessen/go-mail): a multipart text and HTML message with the
// person's anti-phishing word and a signed ack link, marked so that
// out-of-office and other auto-replies neither answer it nor loop
// (Auto-Submitted, X-Auto-Response-Suppress, Precedence, List-Id), over TLS
// as configured.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
	"phonetree/internal/provider/content"
)

// Config configures the relay. Zero values get the defaults noted.
type Config struct {
	Host     string
	Port     int    // default 587, or 465 with TLS "implicit"
	Username string // no authentication if empty
	Password string
	From     string // "Acme Incident Line <incident@acme-alerts.example>"
	// TLS is "mandatory" (STARTTLS required; the default), "implicit"
	// (SMTPS, port 465), "opportunistic" (STARTTLS if offered) or "none".
	TLS       string
	TLSConfig *tls.Config // e.g. RootCAs for a private relay; ServerName defaults to Host
	// Link is the signed ack link for an attempt (the web package's /a/{token}).
	Link    func(attemptID int64) string
	Timeout time.Duration // per message (default 30 s)
	Clock   clock.Clock
	Log     *slog.Logger
}

// ConfigFromEnv reads PHONETREE_SMTP_HOST, _PORT, _USERNAME, _PASSWORD,
// _FROM and _TLS. The ack link function is wired by the caller.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Host: getenv("PHONETREE_SMTP_HOST"), Username: getenv("PHONETREE_SMTP_USERNAME"),
		Password: getenv("PHONETREE_SMTP_PASSWORD"), From: getenv("PHONETREE_SMTP_FROM"), TLS: getenv("PHONETREE_SMTP_TLS")}
	if v := getenv("PHONETREE_SMTP_PORT"); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || port <= 0 || port > 65535 {
			return c, fmt.Errorf("PHONETREE_SMTP_PORT: %q is not a port", v)
		}
		c.Port = port
	}
	return c, nil
}

// Provider sends email. It is safe for concurrent use: each message gets
// its own connection.
type Provider struct {
	cfg    Config
	from   *mail.Address
	domain string
	opts   []gomail.Option
}

// New checks cfg and returns a provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: host required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", cfg.From, err)
	}
	if cfg.Link == nil {
		return nil, errors.New("smtp: an ack link function is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	p := &Provider{cfg: cfg, from: from, domain: from.Address[strings.LastIndex(from.Address, "@")+1:]}
	if p.opts, err = cfg.options(); err != nil {
		return nil, err
	}
	return p, nil
}

func (c Config) options() ([]gomail.Option, error) {
	tc := c.TLSConfig
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	if tc.ServerName == "" {
		tc.ServerName = c.Host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	opts := []gomail.Option{gomail.WithTimeout(c.Timeout), gomail.WithTLSConfig(tc)}
	port := c.Port
	switch c.TLS {
	case "", "mandatory":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "implicit":
		opts = append(opts, gomail.WithSSL())
		port = cmpOr(port, 465)
	default:
		return nil, fmt.Errorf("smtp: TLS %q: want mandatory, implicit, opportunistic or none", c.TLS)
	}
	opts = append(opts, gomail.WithPort(cmpOr(port, 587)))
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	return opts, nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Name is "smtp".
func (p *Provider) Name() string { return "smtp" }

// Idempotent is false: a relay that accepted a message delivers it.
func (p *Provider) Idempotent() bool { return false }

// Send delivers m to the relay and returns its Message-ID.
func (p *Provider) Send(ctx context.Context, m provider.Message) (string, error) {
	msg, id, err := p.message(m)
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("email to attempt %d: %w", m.AttemptID, err)}
	}
	c, err := gomail.NewClient(p.cfg.Host, p.opts...)
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("smtp client: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", classify(err, m.AttemptID)
	}
	return id, nil
}

// classify: a recipient refused for good is permanent (try the next
// method); everything else (temporary refusals, a relay down) is retried.
func classify(err error, attempt int64) error {
	err = fmt.Errorf("email for attempt %d: %w", attempt, err)
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo {
		return &provider.Error{Kind: provider.Permanent, Err: err}
	}
	return &provider.Error{Kind: provider.Retry, Err: err}
}

// message builds the email for m, and its Message-ID.
func (p *Provider) message(m provider.Message) (*gomail.Msg, string, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, "", fmt.Errorf("address %q: %w", m.To, err)
	}
	parts := content.Parse(m.Text)
	link := p.cfg.Link(m.AttemptID)
	msg := gomail.NewMsg()
	msg.FromMailAddress(p.from)
	msg.ToMailAddress(to)
	subject := parts.Subject()
	if len(m.CallList) > 0 { // a relay call list or call task: the text as written
		subject, parts = "Please call: "+parts.Title, content.Parts{Title: m.Text}
	}
	msg.Subject(subject)
	id := fmt.Sprintf("%s.%d@%s", m.Key, p.cfg.Clock.Now().Unix(), p.domain)
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(p.cfg.Clock.Now())
	// RFC 3834: no auto-reply to this; Exchange: no out-of-office; list
	// mail is skipped by vacation responders.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader(gomail.HeaderPrecedence, "bulk")
	msg.SetGenHeader("List-Id", fmt.Sprintf("phonetree alerts <alerts.%s>", p.domain))
	msg.SetGenHeader("X-Phonetree-Attempt", fmt.Sprint(m.AttemptID))
	text, html, err := render(parts, link, len(m.CallList) == 0)
	if err != nil {
		return nil, "", err
	}
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	return msg, "<" + id + ">", nil
}
