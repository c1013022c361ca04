package twilio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

// Config configures a Twilio provider. Zero values get the defaults noted.
type Config struct {
	Name       string // provider name in logs and reports (default "twilio")
	AccountSID string // AC…, PHONETREE_TWILIO_ACCOUNT_SID
	AuthToken  string // PHONETREE_TWILIO_AUTH_TOKEN; also the webhook signing key
	// From is the SMS senders: E.164 numbers, spread over by the rate
	// limiter. MessagingService (MG…) is used instead when set.
	From             []string
	MessagingService string
	VoiceFrom        string // caller id for calls (default From[0])
	PublicURL        string // base URL Twilio calls, PHONETREE_PUBLIC_URL
	APIURL           string // Twilio's API base (default https://api.twilio.com)
	HookPath         string // where the webhooks are mounted (default /hooks/twilio)

	// SMSPerSecond is each sender's rate in segments a second (default 1,
	// a US long code; 3 for toll-free, 100 for a short code; for a
	// messaging service, the whole pool's rate).
	SMSPerSecond float64
	// CallsPerSecond is the account's rate of new calls (default 1).
	CallsPerSecond float64
	Validity       time.Duration // SMS dropped if still queued after this (default 1 h)
	RingTimeout    time.Duration // how long a call rings (default 30 s)
	Language       string        // default spoken language (default en-US)
	Voices         map[string]string
	// Call builds what a voice call says; nil reads the message text
	// (content.Parse) in Language.
	Call func(ctx context.Context, m provider.Message) (Call, error)
	// HelpText, if set, answers an inbound HELP; otherwise Twilio's own
	// opt-out handling answers it.
	HelpText string

	Clock clock.Clock
	Log   *slog.Logger
	HTTP  *http.Client // base HTTP client for the REST calls (default: 10 s timeout)
}

// Call is what one notification call says: the script, read in Language
// with Voice (empty: the voice configured for the language), then one
// keypress per option.
type Call struct {
	Script   string
	Options  []string
	Language string
	Voice    string
}

var (
	sidPattern     = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	servicePattern = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	e164Pattern    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	alnumPattern   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// ConfigFromEnv reads the PHONETREE_TWILIO_* variables and
// PHONETREE_PUBLIC_URL. Flags, where a command has them, override it.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	return ConfigFromEnvPrefix(getenv, "PHONETREE_TWILIO_")
}

// ConfigFromEnvPrefix reads prefix+ACCOUNT_SID, AUTH_TOKEN, FROM,
// VOICE_FROM, API_URL, SMS_PER_SECOND and CALLS_PER_SECOND, and
// PHONETREE_PUBLIC_URL: a second account for failover uses
// PHONETREE_TWILIO_FAILOVER_, named "twilio-failover" with its webhooks
// under /hooks/twilio-failover.
func ConfigFromEnvPrefix(getenv func(string) string, prefix string) (Config, error) {
	c := Config{
		AccountSID: getenv(prefix + "ACCOUNT_SID"),
		AuthToken:  getenv(prefix + "AUTH_TOKEN"),
		VoiceFrom:  getenv(prefix + "VOICE_FROM"),
		PublicURL:  getenv("PHONETREE_PUBLIC_URL"),
		APIURL:     getenv(prefix + "API_URL"),
	}
	if prefix == "PHONETREE_TWILIO_FAILOVER_" {
		c.Name, c.HookPath = "twilio-failover", "/hooks/twilio-failover"
	}
	if err := c.SetFrom(getenv(prefix + "FROM")); err != nil {
		return c, fmt.Errorf("%sFROM: %w", prefix, err)
	}
	for name, dst := range map[string]*float64{prefix + "SMS_PER_SECOND": &c.SMSPerSecond, prefix + "CALLS_PER_SECOND": &c.CallsPerSecond} {
		if v := getenv(name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return c, fmt.Errorf("%s: %q is not a positive number", name, v)
			}
			*dst = f
		}
	}
	return c, nil
}

// SetFrom reads a comma-separated list of E.164 numbers, or a messaging
// service SID (MG…), optionally followed by numbers for voice.
func (c *Config) SetFrom(list string) error {
	c.From, c.MessagingService = nil, ""
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
		case servicePattern.MatchString(f):
			c.MessagingService = f
		case e164Pattern.MatchString(f):
			c.From = append(c.From, f)
		default:
			return fmt.Errorf("%q is neither an E.164 number (+13105550100) nor a messaging service SID (MG…)", f)
		}
	}
	return nil
}

// withDefaults checks c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if !sidPattern.MatchString(c.AccountSID) {
		errs = append(errs, fmt.Errorf("account SID %q: want AC followed by 32 hex digits", c.AccountSID))
	}
	if !alnumPattern.MatchString(c.AuthToken) {
		errs = append(errs, errors.New("auth token: required, letters and digits only"))
	}
	if len(c.From) == 0 && c.MessagingService == "" {
		errs = append(errs, errors.New("from: need at least one sender number or a messaging service SID"))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("public URL %q: want the absolute base URL Twilio calls, e.g. https://phonetree.example.org", c.PublicURL))
	}
	c.APIURL = strings.TrimRight(cmpOr(c.APIURL, "https://api.twilio.com"), "/")
	if u, err := url.Parse(c.APIURL); err != nil || u.Host == "" {
		errs = append(errs, fmt.Errorf("API URL %q: not an absolute URL", c.APIURL))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("twilio config: %w", errors.Join(errs...))
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.Name = cmpOr(c.Name, "twilio")
	c.HookPath = "/" + strings.Trim(cmpOr(c.HookPath, "/hooks/twilio"), "/")
	if c.VoiceFrom == "" && len(c.From) > 0 {
		c.VoiceFrom = c.From[0]
	}
	c.SMSPerSecond = cmpOr(c.SMSPerSecond, 1)
	c.CallsPerSecond = cmpOr(c.CallsPerSecond, 1)
	c.Validity = cmpOr(c.Validity, time.Hour)
	c.RingTimeout = cmpOr(c.RingTimeout, 30*time.Second)
	c.Language = cmpOr(c.Language, "en-US")
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	return c, nil
}

// Senders is how many SMS senders the rate limiter spreads over.
func (c *Config) Senders() int {
	if c.MessagingService != "" {
		return 1
	}
	return len(c.From)
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// languages maps a roster's two-letter language to Twilio's <Say> language.
var languages = map[string]string{"en": "en-US", "es": "es-US", "fr": "fr-FR", "de": "de-DE", "it": "it-IT",
	"pt": "pt-BR", "nl": "nl-NL", "ja": "ja-JP", "zh": "cmn-CN", "ko": "ko-KR", "pl": "pl-PL", "sv": "sv-SE"}

// SayLanguage turns a roster language ("es", "pt-BR") into a <Say> language.
func SayLanguage(lang, fallback string) string {
	if lang == "" {
		return fallback
	}
	if l, ok := languages[strings.ToLower(lang)]; ok {
		return l
	}
	return lang
}
