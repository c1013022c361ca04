package twilio

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"phonetree/internal/provider"
)

// Hooks is what the webhooks need from the rest of phonetree.
type Hooks struct {
	// Deliver applies reports to the engine (engine.Deliver).
	Deliver func(ctx context.Context, reports []provider.Report) error
	// Replies maps an inbound SMS to the attempt it answers.
	Replies Replies
	// OptOuts records STOP and START (optional: Twilio blocks sends to an
	// opted-out number either way, and such sends fail permanently).
	OptOuts OptOuts
	// Hotline finds the latest bulletin for a caller or a STATUS text
	// (optional: without it the hotline says there is nothing).
	Hotline Hotline
	// CallLists finds a relay caller's list, which they mark by replying
	// "R 1 3" (optional: without it such replies are not understood).
	CallLists CallLists
}

// CallLists finds the call list a relay caller's SMS reply marks.
type CallLists interface {
	// LatestCallList returns the list most recently handed to phone:
	// its bulletin and the callees, numbered from 1 in this order.
	LatestCallList(ctx context.Context, phone string) (CallList, bool, error)
}

// CallList is a relay caller's list.
type CallList struct {
	Bulletin int64
	Callees  []int32
}

// Replies finds what an inbound SMS answers.
type Replies interface {
	// LatestAttempt returns the latest open attempt (handed over, its
	// recipient not yet acked, cancelled or past its plan) whose address is
	// phone (E.164), with its bulletin's number of response options.
	LatestAttempt(ctx context.Context, phone string) (Open, bool, error)
}

// Open is an attempt a reply can answer.
type Open struct {
	AttemptID int64
	Responses int
}

// OptOuts records that a number opted out of SMS (STOP) or back in (START).
type OptOuts interface {
	SetOptOut(ctx context.Context, phone string, optedOut bool) error
}

// Hotline finds the latest bulletin meant for the person with this number.
type Hotline interface {
	LatestFor(ctx context.Context, phone string) (HotlineMessage, bool, error)
}

// HotlineMessage is a bulletin as the hotline gives it.
type HotlineMessage struct {
	Text     string // for a STATUS text: the SMS wording, with the person's word
	Script   string // for a call: read aloud
	PIN      string // asked for before the script is read, if set
	Language string // the person's language
	Voice    string
}

// Handler serves the webhooks under Config.HookPath (default
// /hooks/twilio): /sms (inbound messages), /voice (keypresses and inbound
// calls) and /status (message and call statuses). Every request's
// X-Twilio-Signature is checked, over Config.PublicURL plus the path and
// query as received, before anything in it is used; a bad one gets 403 and
// a log line. Mount it so that it sees the full path.
func (p *Provider) Handler(h Hooks) http.Handler {
	mux := http.NewServeMux()
	base := p.cfg.HookPath
	mux.HandleFunc("POST "+base+"/status", func(w http.ResponseWriter, r *http.Request) { p.status(w, r, h) })
	mux.HandleFunc("POST "+base+"/sms", func(w http.ResponseWriter, r *http.Request) { p.inboundSMS(w, r, h) })
	mux.HandleFunc("POST "+base+"/voice", func(w http.ResponseWriter, r *http.Request) { p.voice(w, r, h) })
	return p.verified(mux)
}

// verified refuses requests not signed with the account's auth token.
func (p *Provider) verified(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			p.cfg.Log.Warn("twilio webhook refused: unreadable form", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		params := make(map[string]string, len(r.PostForm))
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		sig := r.Header.Get("X-Twilio-Signature")
		if sig == "" || !p.validator.Validate(p.cfg.PublicURL+r.URL.RequestURI(), params, sig) {
			p.cfg.Log.Warn("twilio webhook refused: bad signature", "provider", p.cfg.Name, "path", r.URL.Path,
				"remote", r.RemoteAddr, "signature_present", sig != "")
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if sid := r.PostForm.Get("AccountSid"); sid != "" && sid != p.cfg.AccountSID {
			p.cfg.Log.Warn("twilio webhook refused: another account", "provider", p.cfg.Name, "path", r.URL.Path)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// status turns a message or call status into a report.
func (p *Provider) status(w http.ResponseWriter, r *http.Request, h Hooks) {
	attempt, err := strconv.ParseInt(r.URL.Query().Get("a"), 10, 64)
	if err != nil {
		p.cfg.Log.Warn("twilio status without an attempt ignored", "provider", p.cfg.Name, "query", r.URL.RawQuery)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f := r.PostForm
	kind, source, ok := provider.Delivered, "sms", false
	if ms := f.Get("MessageStatus"); ms != "" {
		kind, ok = messageOutcome(ms)
		if ok && kind == provider.Undeliverable {
			p.cfg.Log.Info("sms undeliverable", "attempt", attempt, "status", ms, "error_code", f.Get("ErrorCode"))
		}
	} else {
		source = "voice"
		kind, ok = callOutcome(f.Get("CallStatus"), f.Get("AnsweredBy"))
		if ok && kind == provider.Undeliverable {
			p.cfg.Log.Info("call not reached", "attempt", attempt, "status", f.Get("CallStatus"), "answered_by", f.Get("AnsweredBy"))
		}
	}
	if ok {
		rep := provider.Report{Kind: kind, AttemptID: attempt, Source: source, At: p.cfg.Clock.Now()}
		if !p.deliver(w, r, h, rep) {
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// messageOutcome maps a MessageStatus; ok is false for interim states.
func messageOutcome(status string) (provider.ReportKind, bool) {
	switch status {
	case "delivered", "read":
		return provider.Delivered, true
	case "undelivered", "failed":
		return provider.Undeliverable, true
	}
	return 0, false
}

// callOutcome maps a finished call. Only a human counts as reached: a
// voicemail, a fax or an undecided detection does not.
func callOutcome(status, answeredBy string) (provider.ReportKind, bool) {
	switch status {
	case "completed":
		if answeredBy == "" || answeredBy == "human" {
			return provider.Delivered, true
		}
		return provider.Undeliverable, true
	case "busy", "no-answer", "failed", "canceled":
		return provider.Undeliverable, true
	}
	return 0, false
}

// deliver hands reports to the engine; on failure it answers 500 and
// reports false.
func (p *Provider) deliver(w http.ResponseWriter, r *http.Request, h Hooks, reps ...provider.Report) bool {
	if h.Deliver == nil {
		p.cfg.Log.Error("twilio webhook: no engine to deliver to", "path", r.URL.Path)
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return false
	}
	if err := h.Deliver(r.Context(), reps); err != nil {
		p.cfg.Log.Error("twilio webhook: delivering report failed", "path", r.URL.Path, "attempt", reps[0].AttemptID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return false
	}
	return true
}

// respond answers with TwiML holding verbs, or 500 if it could not be rendered.
func (p *Provider) respond(w http.ResponseWriter, verbs ...any) {
	doc, err := render(verbs...)
	if err != nil {
		p.cfg.Log.Error("twiml", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(doc))
}

// maskPhone keeps a number's last two digits for logs: the roster is what
// attackers want, and logs travel.
func maskPhone(n string) string {
	if len(n) <= 4 {
		return "****"
	}
	return n[:2] + strings.Repeat("*", len(n)-4) + n[len(n)-2:]
}
