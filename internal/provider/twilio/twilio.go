// Package twilio carries sms and voice attempts through Twilio and turns
// Twilio's webhooks (delivery statuses, inbound messages, keypresses) into
// engine reports.
//
// Sends use the official SDK (github.com/twilio/twilio-go) against
// Config.APIURL, so tests point it at a local stand-in (package twiliotest).
// Each SMS sender and the account's call rate are limited in Twilio's own
// terms (segments a second per number, calls a second) on the injected
// clock; a send that would exceed them is refused with a RateLimited error
// saying when to come back. Status callbacks carry the attempt id in their
// URL, which Twilio signs, so no lookup by message SID is needed.
package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	twclient "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"phonetree/internal/provider"
)

// Provider sends SMS and places calls through one Twilio account. It is safe
// for concurrent use.
type Provider struct {
	cfg       Config
	transport http.RoundTripper
	sms       *senders
	calls     *senders
	validator twclient.RequestValidator
}

// New returns a provider for cfg.
func New(cfg Config) (*Provider, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(cfg.APIURL)
	inner := cfg.HTTP.Transport
	if inner == nil {
		// keep connections for concurrent sends (the default keeps 2 idle)
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 128
		inner = t
	}
	return &Provider{
		cfg:       cfg,
		transport: &rewrite{base: base, inner: inner},
		sms:       newSenders(cfg.Senders(), cfg.SMSPerSecond),
		calls:     newSenders(1, cfg.CallsPerSecond),
		validator: twclient.NewRequestValidator(cfg.AuthToken),
	}, nil
}

// Name is the configured name ("twilio" by default).
func (p *Provider) Name() string { return p.cfg.Name }

// Idempotent is false: Twilio's create calls take no idempotency key, so an
// attempt whose hand-over was lost in a crash must not be sent again.
func (p *Provider) Idempotent() bool { return false }

// Config returns the provider's configuration with defaults filled in.
func (p *Provider) Config() Config { return p.cfg }

// Send hands m to Twilio: an SMS for method "sms", a call for "voice".
func (p *Provider) Send(ctx context.Context, m provider.Message) (string, error) {
	switch m.Method {
	case "sms":
		return p.sendSMS(ctx, m)
	case "voice":
		return p.call(ctx, m)
	}
	return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("twilio: cannot carry method %q", m.Method)}
}

func (p *Provider) sendSMS(ctx context.Context, m provider.Message) (string, error) {
	if len([]rune(m.Text)) > 1600 {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("sms to %s: %d characters, Twilio takes at most 1600", m.To, len([]rune(m.Text)))}
	}
	sender, wait := p.sms.take(p.cfg.Clock.Now(), Segments(m.Text))
	if sender < 0 {
		return "", rateLimited(wait, "sms senders busy")
	}
	params := &api.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Text)
	params.SetStatusCallback(p.hookURL("status", m.AttemptID, nil))
	params.SetValidityPeriod(int(p.cfg.Validity.Seconds()))
	if p.cfg.MessagingService != "" {
		params.SetMessagingServiceSid(p.cfg.MessagingService)
	} else {
		params.SetFrom(p.cfg.From[sender])
	}
	msg, err := p.api(ctx).CreateMessage(params)
	if err != nil {
		return "", classify(err, "sms to "+m.To)
	}
	if msg.Sid == nil {
		return "", &provider.Error{Kind: provider.Retry, Err: fmt.Errorf("sms to %s: Twilio returned no sid", m.To)}
	}
	return *msg.Sid, nil
}

func (p *Provider) call(ctx context.Context, m provider.Message) (string, error) {
	c, err := p.callContent(ctx, m)
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("call to %s: %w", m.To, err)}
	}
	twiml, err := p.notificationTwiML(c, m.AttemptID)
	if err != nil {
		return "", &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("call to %s: %w", m.To, err)}
	}
	if _, wait := p.calls.take(p.cfg.Clock.Now(), 1); wait > 0 {
		return "", rateLimited(wait, "call rate reached")
	}
	params := &api.CreateCallParams{}
	params.SetTo(m.To)
	params.SetFrom(p.cfg.VoiceFrom)
	params.SetTwiml(twiml)
	params.SetStatusCallback(p.hookURL("status", m.AttemptID, nil))
	params.SetStatusCallbackEvent([]string{"completed"})
	params.SetTimeout(int(p.cfg.RingTimeout.Seconds()))
	// Wait for the greeting's end: a machine hears the whole message as
	// a voicemail, and the completed callback says AnsweredBy=machine_….
	params.SetMachineDetection("DetectMessageEnd")
	call, err := p.api(ctx).CreateCall(params)
	if err != nil {
		return "", classify(err, "call to "+m.To)
	}
	if call.Sid == nil {
		return "", &provider.Error{Kind: provider.Retry, Err: fmt.Errorf("call to %s: Twilio returned no sid", m.To)}
	}
	return *call.Sid, nil
}

// hookURL is the absolute URL Twilio calls for a webhook about attempt id.
func (p *Provider) hookURL(kind string, attempt int64, extra url.Values) string {
	q := url.Values{}
	if attempt != 0 {
		q.Set("a", strconv.FormatInt(attempt, 10))
	}
	for k, v := range extra {
		q[k] = v
	}
	u := p.cfg.PublicURL + p.cfg.HookPath + "/" + kind
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// api returns the SDK's API service bound to ctx. The SDK has no base URL
// option and no context: the transport rewrites the host to Config.APIURL
// and attaches ctx to each request.
func (p *Provider) api(ctx context.Context) *api.ApiService {
	c := &twclient.Client{
		Credentials: twclient.NewCredentials(p.cfg.AccountSID, p.cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport:     withContext{ctx: ctx, inner: p.transport},
			Timeout:       p.cfg.HTTP.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(p.cfg.AccountSID)
	h := twclient.NewRequestHandler(c)
	h.Edge, h.Region = "", "" // ignore TWILIO_EDGE / TWILIO_REGION: the API URL is configured
	return api.NewApiService(h)
}

// rewrite sends every request to base's scheme and host, keeping the path.
type rewrite struct {
	base  *url.URL
	inner http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
	if t.base.Path != "" && t.base.Path != "/" {
		r.URL.Path = t.base.Path + r.URL.Path
	}
	return t.inner.RoundTrip(r)
}

type withContext struct {
	ctx   context.Context
	inner http.RoundTripper
}

func (t withContext) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.inner.RoundTrip(r.WithContext(t.ctx))
}
