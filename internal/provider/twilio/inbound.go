package twilio

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"phonetree/internal/provider"
)

// Carrier keywords (the whole message, any case). Twilio answers them itself
// and still forwards them here.
var (
	stopWords  = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "END": true, "QUIT": true, "CANCEL": true, "REVOKE": true, "OPTOUT": true}
	startWords = map[string]bool{"START": true, "YES": true, "UNSTOP": true}
	helpWords  = map[string]bool{"HELP": true, "INFO": true}
)

// inboundSMS handles a text to one of our numbers: opt-out keywords, HELP,
// STATUS (the hotline) and reply codes ("1", "2 need help").
func (p *Provider) inboundSMS(w http.ResponseWriter, r *http.Request, h Hooks) {
	f := r.PostForm
	from, to := f.Get("From"), f.Get("To")
	word := strings.ToUpper(strings.Trim(strings.TrimSpace(f.Get("Body")), ".!"))
	optOut := strings.ToUpper(f.Get("OptOutType"))
	switch {
	case optOut == "STOP" || stopWords[word]:
		p.setOptOut(r, h, from, true)
		p.replySMS(w, to, "")
	case optOut == "START" || startWords[word]:
		p.setOptOut(r, h, from, false)
		p.replySMS(w, to, "")
	case optOut == "HELP" || helpWords[word]:
		p.replySMS(w, to, p.cfg.HelpText)
	case word == "STATUS":
		p.replySMS(w, to, p.hotlineText(r, h, from))
	case word == "R" || strings.HasPrefix(word, "R ") || strings.HasPrefix(word, "REACHED"):
		p.markReached(w, r, h, from, to, word)
	default:
		p.replyCode(w, r, h, from, to, word)
	}
}

// replyCode acks the sender's latest open attempt with the option number
// the message starts with.
func (p *Provider) replyCode(w http.ResponseWriter, r *http.Request, h Hooks, from, to, word string) {
	var open Open
	ok := false
	if h.Replies != nil {
		var err error
		if open, ok, err = h.Replies.LatestAttempt(r.Context(), from); err != nil {
			p.cfg.Log.Error("sms reply: finding the attempt failed", "from", maskPhone(from), "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	if !ok {
		p.cfg.Log.Warn("sms from unknown number ignored", "provider", p.cfg.Name, "from", maskPhone(from), "message_sid", r.PostForm.Get("MessageSid"))
		p.replySMS(w, to, "")
		return
	}
	n := leadingNumber(word)
	if n < 1 || n > open.Responses {
		p.cfg.Log.Info("sms reply not understood", "attempt", open.AttemptID, "from", maskPhone(from))
		p.replySMS(w, to, fmt.Sprintf("Please reply with a number from 1 to %d.", open.Responses))
		return
	}
	rep := provider.Report{Kind: provider.Acked, AttemptID: open.AttemptID, Response: n, Source: "sms", At: p.cfg.Clock.Now()}
	if p.deliver(w, r, h, rep) {
		p.replySMS(w, to, "")
	}
}

// markReached marks the callees a relay caller's reply names ("R 1 3",
// "reached 2,4") as reached by the caller.
func (p *Provider) markReached(w http.ResponseWriter, r *http.Request, h Hooks, from, to, word string) {
	var cl CallList
	ok := false
	if h.CallLists != nil {
		var err error
		if cl, ok, err = h.CallLists.LatestCallList(r.Context(), from); err != nil {
			p.cfg.Log.Error("sms reply: finding the call list failed", "from", maskPhone(from), "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	if !ok {
		p.cfg.Log.Info("reached marks from a number with no call list", "from", maskPhone(from))
		p.replySMS(w, to, "You have no call list to mark.")
		return
	}
	ns, bad := listNumbers(strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(word, "REACHED"), "R"), " :"), len(cl.Callees))
	if bad != "" || len(ns) == 0 {
		p.replySMS(w, to, fmt.Sprintf("Reply R and the numbers of those you reached, from 1 to %d (R 1 3).%s", len(cl.Callees), bad))
		return
	}
	reps := make([]provider.Report, len(ns))
	for i, n := range ns {
		reps[i] = provider.Report{Kind: provider.Reached, Bulletin: cl.Bulletin, Recipient: cl.Callees[n-1], Response: 1, Source: "caller", At: p.cfg.Clock.Now()}
	}
	if p.deliver(w, r, h, reps...) {
		p.replySMS(w, to, fmt.Sprintf("Marked %d reached. Thank you.", len(ns)))
	}
}

// listNumbers reads the list numbers in s ("1 3", "2,4"), each from 1 to n;
// bad names what could not be read.
func listNumbers(s string, n int) (ns []int, bad string) {
	seen := map[int]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 || k > n {
			return nil, fmt.Sprintf(" %q is not on your list.", f)
		}
		if !seen[k] {
			seen[k] = true
			ns = append(ns, k)
		}
	}
	return ns, ""
}

// leadingNumber reads the option number a reply starts with ("2", "2 help",
// "#2"); 0 if none.
func leadingNumber(s string) int {
	s = strings.TrimLeft(s, "#( ")
	end := 0
	for end < len(s) && end < 2 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 || (end < len(s) && s[end] >= '0' && s[end] <= '9') {
		return 0
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

func (p *Provider) setOptOut(r *http.Request, h Hooks, from string, out bool) {
	p.cfg.Log.Info("sms opt-out keyword", "from", maskPhone(from), "opted_out", out)
	if h.OptOuts == nil {
		return
	}
	if err := h.OptOuts.SetOptOut(r.Context(), from, out); err != nil {
		p.cfg.Log.Error("recording sms opt-out failed", "from", maskPhone(from), "opted_out", out, "err", err)
	}
}

// hotlineText is the answer to a STATUS text: the latest bulletin for the
// sender, or nothing for an unknown number.
func (p *Provider) hotlineText(r *http.Request, h Hooks, from string) string {
	m, ok := p.hotline(r, h, from)
	if !ok {
		return ""
	}
	return m.Text
}

func (p *Provider) hotline(r *http.Request, h Hooks, from string) (HotlineMessage, bool) {
	if h.Hotline == nil {
		p.cfg.Log.Warn("hotline not configured", "from", maskPhone(from))
		return HotlineMessage{}, false
	}
	m, ok, err := h.Hotline.LatestFor(r.Context(), from)
	if err != nil {
		p.cfg.Log.Error("hotline lookup failed", "from", maskPhone(from), "err", err)
		return HotlineMessage{}, false
	}
	if !ok {
		p.cfg.Log.Warn("hotline: unknown number", "from", maskPhone(from))
	}
	return m, ok
}

// replySMS answers an inbound SMS; a text reply uses the sender's capacity,
// so it is booked with the rate limiter.
func (p *Provider) replySMS(w http.ResponseWriter, ourNumber, text string) {
	if text == "" {
		p.respond(w)
		return
	}
	for i, n := range p.cfg.From {
		if n == ourNumber {
			p.sms.book(i, p.cfg.Clock.Now(), Segments(text))
		}
	}
	p.respond(w, message{Text: text})
}

// voice answers a keypress on a notification call (?a=attempt), a PIN on a
// hotline call (?h=pin), or an inbound call (the hotline).
func (p *Provider) voice(w http.ResponseWriter, r *http.Request, h Hooks) {
	q := r.URL.Query()
	switch {
	case q.Has("a"):
		p.keypress(w, r, h, q)
	case q.Get("h") == "pin":
		p.hotlinePIN(w, r, h, q)
	default:
		p.hotlineCall(w, r, h)
	}
}

func (p *Provider) keypress(w http.ResponseWriter, r *http.Request, h Hooks, q url.Values) {
	attempt, err1 := strconv.ParseInt(q.Get("a"), 10, 64)
	options, err2 := strconv.Atoi(q.Get("n"))
	sp := p.speaker(q.Get("l"), "")
	if err1 != nil || err2 != nil {
		p.cfg.Log.Warn("twilio keypress with a malformed action URL", "query", r.URL.RawQuery)
		p.respond(w, sp.say(goodbye), hangup{})
		return
	}
	n, err := strconv.Atoi(r.PostForm.Get("Digits"))
	valid := err == nil && n >= 1 && n <= options
	if valid {
		rep := provider.Report{Kind: provider.Acked, AttemptID: attempt, Response: n, Source: "voice", At: p.cfg.Clock.Now()}
		if !p.deliver(w, r, h, rep) {
			return
		}
	}
	again := url.Values{"n": {q.Get("n")}, "l": {sp.lang}, "r": {"1"}}
	p.respond(w, p.digitTwiML(valid, p.hookURL("voice", attempt, again), options, q.Has("r"), sp)...)
}

// hotlineCall answers an inbound call: the PIN prompt if the person has a
// PIN, else the latest bulletin.
func (p *Provider) hotlineCall(w http.ResponseWriter, r *http.Request, h Hooks) {
	m, ok := p.hotline(r, h, r.PostForm.Get("From"))
	sp := p.speaker(m.Language, m.Voice)
	switch {
	case !ok:
		p.respond(w, sp.say("There is no message for this number. Goodbye."), hangup{})
	case m.PIN != "":
		p.respond(w, p.pinPrompt(sp, "Please enter your PIN, then press the hash key.", 1)...)
	default:
		p.respond(w, say{Voice: sp.voice, Language: sp.lang, Loop: 2, Text: m.Script}, sp.say(goodbye), hangup{})
	}
}

func (p *Provider) pinPrompt(sp speaker, prompt string, try int) []any {
	action := p.hookURL("voice", 0, url.Values{"h": {"pin"}, "t": {strconv.Itoa(try)}})
	g := gather{Input: "dtmf", NumDigits: 12, FinishOnKey: "#", Timeout: 8, Action: action, Method: "POST", Say: sp.say(prompt)}
	return []any{g, sp.say(goodbye), hangup{}}
}

func (p *Provider) hotlinePIN(w http.ResponseWriter, r *http.Request, h Hooks, q url.Values) {
	from := r.PostForm.Get("From")
	m, ok := p.hotline(r, h, from)
	sp := p.speaker(m.Language, m.Voice)
	if !ok {
		p.respond(w, sp.say("There is no message for this number. Goodbye."), hangup{})
		return
	}
	if m.PIN == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("Digits")), []byte(m.PIN)) == 1 {
		p.respond(w, say{Voice: sp.voice, Language: sp.lang, Loop: 2, Text: m.Script}, sp.say(goodbye), hangup{})
		return
	}
	p.cfg.Log.Warn("hotline: wrong PIN", "from", maskPhone(from), "try", q.Get("t"))
	if q.Get("t") == "1" {
		p.respond(w, p.pinPrompt(sp, "That PIN is not right. Please enter your PIN, then press the hash key.", 2)...)
		return
	}
	p.respond(w, sp.say("That PIN is not right. Goodbye."), hangup{})
}
