package roster

import (
	"fmt"
	"strings"
)

// The CSV columns, in the canonical export order.
const (
	colID = iota
	colName
	colManager
	colCaller
	colBackups
	colMobile
	colVoice
	colEmail
	colTags
	colTimezone
	colLanguage
	colOrder
	colWord
	colPIN
	numCols
)

var columns = [numCols]string{
	"id", "name", "manager", "caller", "backups", "mobile", "voice", "email",
	"tags", "timezone", "language", "order", "word", "pin",
}

// isFormulaStart reports whether a spreadsheet would read a cell starting
// with c as a formula.
func isFormulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@'
}

// neutralise makes a free-text value safe to open in a spreadsheet: a value
// starting with = + - or @ gets a leading single quote. So does a value that
// already starts with a quote followed by one of those or by another quote,
// so that unneutralise gives back exactly the value.
func neutralise(v string) string {
	if v == "" {
		return v
	}
	if isFormulaStart(v[0]) || (v[0] == '\'' && len(v) > 1 && (isFormulaStart(v[1]) || v[1] == '\'')) {
		return "'" + v
	}
	return v
}

// unneutralise undoes neutralise: it strips a leading single quote followed
// by = + - @ or another single quote.
func unneutralise(v string) string {
	if len(v) > 1 && v[0] == '\'' && (isFormulaStart(v[1]) || v[1] == '\'') {
		return v[1:]
	}
	return v
}

// splitList splits a ;-separated cell, trimming items and dropping empty
// ones.
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	n := strings.Count(v, ";") + 1
	out := make([]string, 0, n)
	for item := range strings.SplitSeq(v, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseOrder parses an `order` cell such as "sms;voice;email".
func parseOrder(v string) ([]Method, error) {
	items := splitList(v)
	if items == nil {
		return nil, nil
	}
	out := make([]Method, 0, len(items))
	for _, it := range items {
		m := Method(strings.ToLower(it))
		switch m {
		case SMS, Voice, Email, Webhook:
		default:
			return nil, fmt.Errorf("unknown method %q (want sms, voice, email or webhook)", it)
		}
		if containsMethod(out, m) {
			return nil, fmt.Errorf("method %q listed twice", it)
		}
		out = append(out, m)
	}
	return out, nil
}

func joinOrder(ms []Method) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(string(m))
	}
	return b.String()
}

// validEmail checks the shape of an address: one @, a local part of the
// characters mail systems accept, and a domain of dot-separated labels.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at > 64 || at != strings.LastIndexByte(s, '@') || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !isAlnum(c) && c < 0x80 && !strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", rune(c)) {
			return false
		}
	}
	if !strings.Contains(domain, ".") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' && c < 0x80 {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
