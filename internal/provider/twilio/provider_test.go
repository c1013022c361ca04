package twilio_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"phonetree/internal/provider"
	"phonetree/internal/provider/twilio"
	"phonetree/internal/provider/twilio/twiliotest"
)

// The stand-in signs as Twilio documents, and the SDK's validator (used by
// the handler) agrees: the documented test vector.
func TestSignatureVector(t *testing.T) {
	u := "https://mycompany.com/myapp.php?foo=1&bar=2"
	form := url.Values{"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"}, "ReasonConferenceEnded": {"test"}, "Reason": {"Participant"}}
	const want = "vOEb5UThFn24KEfnOFLQY2AE5FY="
	if got := twiliotest.Sign("12345", u, form); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	v := twclient.NewRequestValidator("12345")
	params := map[string]string{}
	for k, x := range form {
		params[k] = x[0]
	}
	if !v.Validate(u, params, want) {
		t.Error("SDK validator rejects the documented vector")
	}
}

func msg(id int64, method, to, text string) provider.Message {
	return provider.Message{AttemptID: id, Key: "k", Method: method, To: to, Text: text}
}

// Twilio's refusals become the right kinds: the address's fault moves on
// to the next method, the account's or platform's is retried (and may fail
// over), a 429 slows down.
func TestSendErrorsClassified(t *testing.T) {
	rg := newRig(t, "", rigOptions{})
	ctx := context.Background()
	notSent := func(err error) bool {
		var ns interface{ NotSent() bool }
		return errors.As(err, &ns) && ns.NotSent()
	}
	send := func(id int64, method, to, text string) (string, error) {
		rg.clock.Advance(time.Second) // a free sender every time
		return rg.prov.Send(ctx, msg(id, method, to, text))
	}
	if _, err := send(1, "sms", "12345", "hi"); provider.Classify(err) != provider.Permanent {
		t.Errorf("invalid To: %v, want permanent", err)
	}
	rg.standin.Text(accountSID, "+14155550009", rg.account.Numbers[0], "STOP")
	rg.standin.Due(rg.clock.Now())
	_, err := send(2, "sms", "+14155550009", "hi")
	if provider.Classify(err) != provider.Permanent || !strings.Contains(err.Error(), "21610") {
		t.Errorf("opted out: %v, want permanent 21610", err)
	}
	rg.account.FailWith, rg.account.FailCode = 503, 20500
	if _, err := send(3, "sms", "+14155550001", "hi"); provider.Classify(err) != provider.Retry || !notSent(err) {
		t.Errorf("503: %v, want retry, not sent", err)
	}
	rg.account.FailWith, rg.account.FailCode = 429, 20429
	_, err = send(4, "sms", "+14155550001", "hi")
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Kind != provider.RateLimited || pe.RetryAfter <= 0 || !notSent(err) {
		t.Errorf("429: %v, want rate limited with a delay", err)
	}
	rg.account.FailWith = 0
	if _, err := send(5, "email", "a@b.c", "hi"); provider.Classify(err) != provider.Permanent {
		t.Errorf("email: %v, want permanent", err)
	}
	if _, err := send(6, "sms", "+14155550001", strings.Repeat("x", 1601)); provider.Classify(err) != provider.Permanent {
		t.Errorf("1601 characters: %v, want permanent", err)
	}
}

// Each sender sends at most its rate; sends spread over the senders; a
// send with no free sender is refused with the wait until one is.
func TestSendersRateLimited(t *testing.T) {
	rg := newRig(t, "", rigOptions{senders: 2, config: func(c *twilio.Config) { c.SMSPerSecond = 1 }})
	ctx := context.Background()
	for i := range 2 {
		if _, err := rg.prov.Send(ctx, msg(int64(i+1), "sms", "+14155550001", "hi")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := rg.prov.Send(ctx, msg(3, "sms", "+14155550001", "hi"))
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Kind != provider.RateLimited || pe.RetryAfter != time.Second {
		t.Fatalf("third send in the same second: %v, want rate limited for 1s", err)
	}
	rg.clock.Advance(time.Second)
	if _, err := rg.prov.Send(ctx, msg(3, "sms", "+14155550001", strings.Repeat("ł", 100))); err != nil {
		t.Fatal(err)
	}
	ms := rg.standin.Messages()
	if ms[0].From == ms[1].From {
		t.Errorf("both sends from %s, want spread over both senders", ms[0].From)
	}
	// 100 characters outside GSM-7 are 2 segments: that sender is busy for 2 s.
	rg.clock.Advance(time.Second)
	if _, err := rg.prov.Send(ctx, msg(4, "sms", "+14155550001", "hi")); err != nil {
		t.Fatal(err)
	}
	if _, err := rg.prov.Send(ctx, msg(5, "sms", "+14155550001", "hi")); provider.Classify(err) != provider.RateLimited {
		t.Errorf("after a 2-segment message: %v, want rate limited", err)
	}
}

func TestSegments(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{strings.Repeat("a", 160), 1}, {strings.Repeat("a", 161), 2}, {strings.Repeat("a", 306), 2},
		{strings.Repeat("{", 80), 1}, {strings.Repeat("{", 81), 2}, {strings.Repeat("é", 160), 1},
		{strings.Repeat("ł", 70), 1}, {strings.Repeat("ł", 71), 2}, {"😀", 1},
	} {
		if got := twilio.Segments(tt.text); got != tt.want {
			t.Errorf("Segments(%d × %q) = %d, want %d", len([]rune(tt.text)), []rune(tt.text)[0], got, tt.want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"PHONETREE_TWILIO_ACCOUNT_SID": accountSID, "PHONETREE_TWILIO_AUTH_TOKEN": authToken,
		"PHONETREE_TWILIO_FROM": "+13105550001, +13105550002", "PHONETREE_PUBLIC_URL": "https://pt.example.org/",
		"PHONETREE_TWILIO_SMS_PER_SECOND": "3",
	}
	c, err := twilio.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p, err := twilio.New(c)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Config()
	if len(got.From) != 2 || got.SMSPerSecond != 3 || got.APIURL != "https://api.twilio.com" || got.PublicURL != "https://pt.example.org" || got.VoiceFrom != "+13105550001" {
		t.Errorf("config = %+v", got)
	}
	env["PHONETREE_TWILIO_FROM"] = "MG0123456789abcdef0123456789abcdef"
	if c, err = twilio.ConfigFromEnv(func(k string) string { return env[k] }); err != nil || c.MessagingService == "" || c.Senders() != 1 {
		t.Errorf("messaging service: %+v, %v", c, err)
	}
	env["PHONETREE_TWILIO_FROM"] = "3105550001"
	if _, err := twilio.ConfigFromEnv(func(k string) string { return env[k] }); err == nil {
		t.Error("a number without + accepted")
	}
	if _, err := twilio.New(twilio.Config{AccountSID: "nope", AuthToken: "a-b"}); err == nil || !strings.Contains(err.Error(), "public URL") {
		t.Errorf("bad config: %v", err)
	}
}
