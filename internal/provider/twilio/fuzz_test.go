package twilio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"phonetree/internal/provider"
	"phonetree/internal/provider/twilio"
)

// FuzzWebhooks throws arbitrary requests at the Twilio webhooks: they must
// never panic, and without a valid signature nothing reaches the engine.
func FuzzWebhooks(f *testing.F) {
	c := twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: []string{"+13105550001"}, PublicURL: "https://pt.example.org"}
	p, err := twilio.New(c)
	if err != nil {
		f.Fatal(err)
	}
	delivered := 0
	h := p.Handler(twilio.Hooks{Deliver: func(context.Context, []provider.Report) error { delivered++; return nil }})
	f.Add("/hooks/twilio/sms", "From=%2B13105550100&Body=1", "bad")
	f.Add("/hooks/twilio/status?attempt=1099511631873", "MessageStatus=delivered&MessageSid=SM1", "")
	f.Add("/hooks/twilio/voice?attempt=5", "Digits=1&CallStatus=in-progress", "vOEb5UThFn24KEfnOFLQY2AE5FY=")
	f.Fuzz(func(t *testing.T, path, body, sig string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest("POST", "http://pt.example.org"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if delivered != 0 {
			t.Fatalf("an unsigned request reached the engine: %s %q", path, body)
		}
	})
}
