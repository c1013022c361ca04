package twilio

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"

	"phonetree/internal/provider"
	"phonetree/internal/provider/content"
)

// TwiML verbs, as encoding/xml structs (attribute order is stable).
type (
	response struct {
		XMLName xml.Name `xml:"Response"`
		Verbs   []any
	}
	say struct {
		XMLName  xml.Name `xml:"Say"`
		Voice    string   `xml:"voice,attr,omitempty"`
		Language string   `xml:"language,attr,omitempty"`
		Loop     int      `xml:"loop,attr,omitempty"`
		Text     string   `xml:",chardata"`
	}
	gather struct {
		XMLName     xml.Name `xml:"Gather"`
		Input       string   `xml:"input,attr"`
		NumDigits   int      `xml:"numDigits,attr"`
		FinishOnKey string   `xml:"finishOnKey,attr,omitempty"`
		Timeout     int      `xml:"timeout,attr"`
		Action      string   `xml:"action,attr"`
		Method      string   `xml:"method,attr"`
		Say         say
	}
	hangup struct {
		XMLName xml.Name `xml:"Hangup"`
	}
	message struct {
		XMLName xml.Name `xml:"Message"`
		Text    string   `xml:",chardata"`
	}
)

// maxTwiML is the most TwiML Twilio takes inline with a call.
const maxTwiML = 4000

func render(verbs ...any) (string, error) {
	b, err := xml.Marshal(response{Verbs: verbs})
	if err != nil {
		return "", fmt.Errorf("twiml: %w", err)
	}
	return xml.Header + string(b), nil
}

// speaker is a language and the voice that reads it.
type speaker struct{ lang, voice string }

func (s speaker) say(text string) say { return say{Voice: s.voice, Language: s.lang, Text: text} }

func (p *Provider) speaker(lang, voice string) speaker {
	lang = SayLanguage(lang, p.cfg.Language)
	if voice == "" {
		voice = p.cfg.Voices[lang]
	}
	return speaker{lang, voice}
}

// callContent is what the call to m says.
func (p *Provider) callContent(ctx context.Context, m provider.Message) (Call, error) {
	if p.cfg.Call != nil {
		return p.cfg.Call(ctx, m)
	}
	if len(m.CallList) > 0 { // a relay caller's list or a call task: read it, nothing to press
		return Call{Script: m.Text}, nil
	}
	parts := content.Parse(m.Text)
	return Call{Script: parts.Script(), Options: parts.Options}, nil
}

// notificationTwiML reads the script and gathers one digit per option; the
// script and menu are played again once if no key is pressed.
func (p *Provider) notificationTwiML(c Call, attempt int64) (string, error) {
	sp := p.speaker(c.Language, c.Voice)
	if len(c.Options) == 0 {
		return render(say{Voice: sp.voice, Language: sp.lang, Loop: 2, Text: c.Script}, hangup{})
	}
	if len(c.Options) > 9 {
		return "", fmt.Errorf("%d response options: a keypad takes 9", len(c.Options))
	}
	action := p.hookURL("voice", attempt, url.Values{"n": {strconv.Itoa(len(c.Options))}, "l": {sp.lang}})
	text := c.Script + " " + content.Prompt(c.Options)
	g := gather{Input: "dtmf", NumDigits: 1, Timeout: 6, Action: action, Method: "POST", Say: sp.say(text)}
	again := g
	again.Say.Text = "Again. " + text
	out, err := render(g, again, sp.say(goodbyeNoAnswer), hangup{})
	if err == nil && len(out) > maxTwiML {
		// too long to say twice inline: one gather that loops the script
		g.Say.Loop = 2
		out, err = render(g, sp.say(goodbyeNoAnswer), hangup{})
	}
	if err == nil && len(out) > maxTwiML {
		return "", fmt.Errorf("voice script too long for a call (%d characters of TwiML, Twilio takes %d)", len(out), maxTwiML)
	}
	return out, err
}

const (
	goodbyeNoAnswer = "We did not get your answer. We will try to reach you another way. Goodbye."
	thanks          = "Thank you. Your answer is recorded. Goodbye."
	goodbye         = "Goodbye."
)

// digitTwiML answers a keypress: thanks, or one more chance to press a
// valid key.
func (p *Provider) digitTwiML(ok bool, action string, options int, retried bool, sp speaker) []any {
	if ok {
		return []any{sp.say(thanks), hangup{}}
	}
	if retried {
		return []any{sp.say(goodbyeNoAnswer), hangup{}}
	}
	g := gather{Input: "dtmf", NumDigits: 1, Timeout: 6, Action: action, Method: "POST",
		Say: sp.say(fmt.Sprintf("Please press a number from 1 to %d.", options))}
	return []any{g, sp.say(goodbyeNoAnswer), hangup{}}
}
