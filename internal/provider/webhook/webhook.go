// Package webhook carries attempts as a JSON POST: a Slack-compatible
// "text" field plus the bulletin's parts and the signed ack link, signed
// with HMAC-SHA256 over a timestamp and the body (headers
// X-Phonetree-Timestamp and X-Phonetree-Signature: v1=<hex>), so the
// receiver can check it came from phonetree and is fresh. Connection
// failures and 5xx answers are retried a few times at once; what still
// fails is classified for the engine to retry later, or to move on.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
	"phonetree/internal/provider/content"
)

// Config configures the webhook. Zero values get the defaults noted.
type Config struct {
	// URL receives the posts (a Slack incoming webhook, a chat bridge);
	// a message whose address is itself an http(s) URL goes there instead.
	URL     string
	Secret  []byte                       // HMAC-SHA256 key; required
	Link    func(attemptID int64) string // the signed ack link; optional
	Retries int                          // immediate retries of a failed post (default 2; -1 none)
	Backoff time.Duration                // before the first retry, doubling (default 250 ms)
	Timeout time.Duration                // per post (default 10 s)
	HTTP    *http.Client
	Clock   clock.Clock
	Log     *slog.Logger
	// Sleep waits between retries (default: a timer honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
}

// ConfigFromEnv reads PHONETREE_WEBHOOK_URL and PHONETREE_WEBHOOK_SECRET.
// The ack link function is wired by the caller.
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{URL: getenv("PHONETREE_WEBHOOK_URL"), Secret: []byte(getenv("PHONETREE_WEBHOOK_SECRET"))}
}

// Provider posts messages. It is safe for concurrent use.
type Provider struct{ cfg Config }

// Payload is the JSON body.
type Payload struct {
	Text      string   `json:"text"` // what Slack and most chat tools show
	Attempt   int64    `json:"attempt"`
	Bulletin  int64    `json:"bulletin"`
	Recipient int32    `json:"recipient"`
	Title     string   `json:"title"`
	Body      string   `json:"body,omitempty"`
	Exercise  bool     `json:"exercise,omitempty"`
	Options   []string `json:"options,omitempty"`
	AckURL    string   `json:"ack_url,omitempty"`
}

// New checks cfg and returns a provider.
func New(cfg Config) (*Provider, error) {
	if len(cfg.Secret) < 16 {
		return nil, errors.New("webhook: a signing secret of at least 16 bytes is required")
	}
	if cfg.URL != "" {
		if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("webhook: URL %q: want an absolute http(s) URL", cfg.URL)
		}
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 2
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return &Provider{cfg: cfg}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Name is "webhook".
func (p *Provider) Name() string { return "webhook" }

// Idempotent is false, though each post carries an Idempotency-Key header
// for receivers that deduplicate.
func (p *Provider) Idempotent() bool { return false }

// Send posts m, retrying connection failures and 5xx answers at once.
func (p *Provider) Send(ctx context.Context, m provider.Message) (string, error) {
	target := p.cfg.URL
	if u, err := url.Parse(m.To); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		target = m.To
	}
	if target == "" {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("webhook for attempt %d: no URL configured", m.AttemptID)}
	}
	body, err := json.Marshal(p.payload(m))
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("webhook payload: %w", err)}
	}
	wait := p.cfg.Backoff
	for try := 0; ; try++ {
		id, err := p.post(ctx, target, m.Key, body)
		if err == nil || provider.Classify(err) != provider.Retry || try >= p.cfg.Retries {
			return id, err
		}
		p.cfg.Log.Info("webhook post failed; retrying", "attempt", m.AttemptID, "try", try+1, "err", err)
		if serr := p.cfg.Sleep(ctx, wait); serr != nil {
			return "", err
		}
		wait *= 2
	}
}

func (p *Provider) payload(m provider.Message) Payload {
	parts := content.Parse(m.Text)
	pl := Payload{Text: m.Text, Attempt: m.AttemptID, Bulletin: m.Bulletin, Recipient: m.Recipient,
		Title: parts.Title, Body: parts.Short, Exercise: parts.Exercise, Options: parts.Options}
	if p.cfg.Link != nil && len(m.CallList) == 0 {
		pl.AckURL = p.cfg.Link(m.AttemptID)
		pl.Text = fmt.Sprintf("%s\nConfirm: <%s|open the response page>", m.Text, pl.AckURL)
	}
	return pl
}

// post makes one signed POST and classifies its outcome.
func (p *Provider) post(ctx context.Context, target, key string, body []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("webhook request: %w", err)}
	}
	ts := strconv.FormatInt(p.cfg.Clock.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "phonetree-webhook/1")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("X-Phonetree-Timestamp", ts)
	req.Header.Set("X-Phonetree-Signature", Sign(p.cfg.Secret, ts, body))
	resp, err := p.cfg.HTTP.Do(req)
	if err != nil {
		return "", &provider.Error{Kind: provider.Retry, Err: fmt.Errorf("webhook post to %s: %w", req.URL.Host, err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	werr := fmt.Errorf("webhook post to %s: %s: %s", req.URL.Host, resp.Status, bytes.TrimSpace(snippet))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if id := resp.Header.Get("X-Request-Id"); id != "" {
			return id, nil
		}
		return key, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", &provider.Error{Kind: provider.RateLimited, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), p.cfg.Clock.Now()), Err: werr}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return "", &provider.Error{Kind: provider.Retry, Err: werr}
	}
	return "", &provider.Error{Kind: provider.Permanent, Err: werr}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 1 s if absent.
func retryAfter(h string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return time.Second
}

// Sign is the X-Phonetree-Signature value: "v1=" and the hex HMAC-SHA256,
// keyed with secret, of "v1:" + timestamp + ":" + body.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v1:" + timestamp + ":"))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a received post: the signature over timestamp and body, and
// a timestamp within tolerance of now (so a captured post cannot be replayed
// later).
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", timestamp, err)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("timestamp %s is %v from now", timestamp, d)
	}
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return errors.New("signature mismatch")
	}
	return nil
}
