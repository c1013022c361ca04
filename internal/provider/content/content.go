// Package content reads the parts of a bulletin back out of the text the
// engine hands a provider (provider.Message.Text): the exercise mark, the
// title, the short text, the response options and the anti-phishing word.
// Email, voice and chat render those parts in their own form (a subject and
// an HTML body, a spoken script with keypresses, a chat block) instead of the
// SMS wording. It exists until provider.Message carries the parts itself.
package content

import (
	"strconv"
	"strings"
)

// Parts is a message taken apart.
type Parts struct {
	Exercise bool
	Title    string
	Short    string // the bulletin's short text or body; may be empty
	Options  []string
	Word     string // the anti-phishing word; empty if the person has none
	Raw      string // the text as given
}

const exerciseMark = "[EXERCISE] "

// Parse takes apart text in the engine's form:
//
//	[EXERCISE] Title: short text Reply 1 Safe, 2 Need help. Your word: maple.
//
// Pieces it does not find are left empty: any text parses, and Title then
// holds what could not be split.
func Parse(text string) Parts {
	p := Parts{Raw: text}
	s := strings.TrimSpace(text)
	if strings.HasPrefix(s, exerciseMark) {
		p.Exercise, s = true, s[len(exerciseMark):]
	}
	if i := strings.LastIndex(s, " Your word: "); i >= 0 && strings.HasSuffix(s, ".") {
		p.Word = strings.TrimSuffix(s[i+len(" Your word: "):], ".")
		s = s[:i]
	}
	if i := strings.LastIndex(s, " Reply"); i >= 0 && strings.HasSuffix(s, ".") {
		if opts, ok := parseOptions(strings.TrimSuffix(s[i+len(" Reply"):], ".")); ok {
			p.Options, s = opts, s[:i]
		}
	}
	if i := strings.Index(s, ": "); i >= 0 {
		p.Title, p.Short = s[:i], strings.TrimSpace(s[i+2:])
	} else {
		p.Title = s
	}
	return p
}

// parseOptions reads " 1 Safe, 2 Need help" (numbered from 1, in order).
func parseOptions(s string) ([]string, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		num, label, ok := strings.Cut(strings.TrimSpace(f), " ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n != len(out)+1 {
			return nil, false
		}
		out = append(out, strings.TrimSpace(label))
	}
	return out, true
}

// Subject is a one-line heading: the title, marked if an exercise.
func (p Parts) Subject() string {
	if p.Exercise {
		return "[EXERCISE] " + p.Title
	}
	return p.Title
}

// Body is the message without reply instructions: title, text and word.
func (p Parts) Body() string {
	var b strings.Builder
	b.WriteString(p.Subject())
	if p.Short != "" {
		b.WriteString(": ")
		b.WriteString(p.Short)
	}
	if p.Word != "" {
		b.WriteString("\n\nYour word: ")
		b.WriteString(p.Word)
		b.WriteString(". A message without your word is not from us.")
	}
	return b.String()
}

// Script is the message as read aloud: the exercise mark, the title, the
// text and the word, spelled out so it is heard clearly.
func (p Parts) Script() string {
	var b strings.Builder
	if p.Exercise {
		b.WriteString("This is an exercise. ")
	}
	b.WriteString(sentence(p.Title))
	if p.Short != "" {
		b.WriteString(" ")
		b.WriteString(sentence(p.Short))
	}
	if p.Word != "" {
		b.WriteString(" Your word is ")
		b.WriteString(p.Word)
		b.WriteString(".")
	}
	return b.String()
}

// Prompt is the keypress menu for the options: "Press 1 for Safe. ...".
func Prompt(options []string) string {
	var b strings.Builder
	for i, o := range options {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("Press ")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(" for ")
		b.WriteString(sentence(o))
	}
	return b.String()
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
