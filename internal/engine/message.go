package engine

import (
	"fmt"
	"strings"

	"phonetree/internal/provider"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// message builds what attempt a carries to its person.
func (r *run) message(a store.Attempt, links Links) provider.Message {
	to := a.Idx
	if a.Kind == store.AttemptCallTask {
		to = r.callTaskTo(a.Idx, int(a.Seq)-store.CallTaskSeq)
	}
	p := &r.roster.People[to]
	m := provider.Message{AttemptID: a.ID, Key: fmt.Sprintf("pt-%d", a.ID), Bulletin: a.Bulletin, Recipient: a.Idx,
		Addressee: to, Seq: int(a.Seq), Method: a.Method, To: address(p, a.Method)}
	switch a.Kind {
	case store.AttemptCallTask:
		s := &r.roster.People[a.Idx]
		m.CallList = []provider.Callee{{Recipient: a.Idx, Name: s.Name, Number: s.Mobile}}
		m.Text = fmt.Sprintf("%s: please call %s %s, who has not confirmed.%s", r.b.Title, s.Name, s.Mobile, wordNote(p))
		if links != nil {
			m.Text += " Mark them reached: " + links.CallListLink(a.Bulletin, to)
		}
		return m
	case store.AttemptCallList:
		m.CallList = r.callList(a.Idx)
		m.Text = r.callListText(p, m.CallList)
		if links != nil {
			m.Text += " Mark who you reached: " + links.CallListLink(a.Bulletin, a.Idx)
		}
		return m
	}
	m.Text = r.text(p)
	return m
}

// address is the person's address for a method.
func address(p *roster.Person, method string) string {
	switch roster.Method(method) {
	case roster.Voice:
		if p.Voice != "" {
			return p.Voice
		}
		return p.Mobile
	case roster.SMS:
		return p.Mobile
	case roster.Email:
		return p.Email
	}
	return ""
}

// text is the bulletin as a person reads it: marked if an exercise, the
// reply codes, and their anti-phishing word.
func (r *run) text(p *roster.Person) string {
	var b strings.Builder
	if r.b.Status == "exercise" {
		b.WriteString("[EXERCISE] ")
	}
	b.WriteString(r.b.Title)
	short := r.spec.Short
	if short == "" {
		short = r.b.Body
	}
	if short != "" {
		b.WriteString(": ")
		b.WriteString(short)
	}
	b.WriteString(" Reply")
	for i, o := range r.spec.Responses {
		fmt.Fprintf(&b, " %d %s", i+1, o)
		if i < len(r.spec.Responses)-1 {
			b.WriteByte(',')
		}
	}
	b.WriteByte('.')
	b.WriteString(wordNote(p))
	return b.String()
}

// wordNote is the sentence that carries the person's anti-phishing word.
func wordNote(p *roster.Person) string {
	if p.Word == "" {
		return ""
	}
	return " Your word: " + p.Word + "."
}

func (r *run) callList(caller int32) []provider.Callee {
	var out []provider.Callee
	for _, c := range r.callees(caller) {
		p := &r.roster.People[c]
		out = append(out, provider.Callee{Recipient: c, Name: p.Name, Number: p.Mobile})
	}
	return out
}

func (r *run) callListText(p *roster.Person, cs []provider.Callee) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: please call your %d people and read them the message:", r.b.Title, len(cs))
	for i, c := range cs {
		fmt.Fprintf(&b, " %d) %s %s;", i+1, c.Name, c.Number)
	}
	b.WriteString(" Reply R and the numbers of those you reached (R 1 3).")
	b.WriteString(wordNote(p))
	return b.String()
}
