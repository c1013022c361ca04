package roster

import (
	"errors"
	"io"
	"io/fs"
	"strings"
)

// csvScanner splits CSV text (RFC 4180: quoted fields, doubled quotes,
// CRLF or LF) into records. Fields are substrings of the text, so reading a
// million rows allocates almost nothing; only a quoted field with doubled
// quotes or CRLFs inside is copied.
type csvScanner struct {
	s      string
	pos    int
	line   int // the line pos is on, from 1
	fields []string
	bad    int // position of the bad field in a malformed record
}

// A malformed record is reported and skipped.
var (
	errBareQuote  = errors.New(`bare " in an unquoted field (quote the whole field and double the quote)`)
	errOpenQuote  = errors.New("quoted field is never closed")
	errAfterQuote = errors.New(`unexpected text after a closing "`)
)

func newCSVScanner(s string) *csvScanner {
	return &csvScanner{s: s, line: 1}
}

// next returns the next record and the line it starts on, or io.EOF at the
// end of the text. Blank lines are skipped. A malformed record gives an error
// (and c.bad the position of the bad field) and is skipped.
func (c *csvScanner) next() (rec []string, line int, err error) {
	for c.pos < len(c.s) && (c.s[c.pos] == '\n' || strings.HasPrefix(c.s[c.pos:], "\r\n")) {
		if c.s[c.pos] == '\r' {
			c.pos++
		}
		c.pos++
		c.line++
	}
	if c.pos >= len(c.s) {
		return nil, c.line, io.EOF
	}
	line = c.line
	c.fields = c.fields[:0]
	for {
		var f string
		if c.s[c.pos] == '"' {
			f, err = c.quoted()
		} else {
			f, err = c.unquoted()
		}
		if err != nil {
			c.skipLine()
			c.bad = len(c.fields)
			return nil, line, err
		}
		c.fields = append(c.fields, f)
		if c.pos >= len(c.s) {
			return c.fields, line, nil
		}
		if c.s[c.pos] == '\n' {
			c.pos++
			c.line++
			return c.fields, line, nil
		}
		c.pos++ // the comma
		if c.pos == len(c.s) {
			c.fields = append(c.fields, "")
			return c.fields, line, nil
		}
	}
}

func (c *csvScanner) unquoted() (string, error) {
	start, i := c.pos, c.pos
	for ; i < len(c.s); i++ {
		if b := c.s[i]; b == ',' || b == '\n' {
			break
		} else if b == '"' {
			c.pos = i
			return "", errBareQuote
		}
	}
	c.pos = i
	f := c.s[start:i]
	if i < len(c.s) && c.s[i] == '\n' && strings.HasSuffix(f, "\r") {
		f = f[:len(f)-1]
	}
	return f, nil
}

func (c *csvScanner) quoted() (string, error) {
	c.pos++
	start, doubled := c.pos, false
	for {
		j := strings.IndexByte(c.s[c.pos:], '"')
		if j < 0 {
			c.line += strings.Count(c.s[c.pos:], "\n")
			c.pos = len(c.s)
			return "", errOpenQuote
		}
		c.line += strings.Count(c.s[c.pos:c.pos+j], "\n")
		c.pos += j + 1
		if c.pos < len(c.s) && c.s[c.pos] == '"' {
			doubled = true
			c.pos++
			continue
		}
		break
	}
	f := c.s[start : c.pos-1]
	rest := c.s[c.pos:]
	if rest != "" && rest[0] != ',' && rest[0] != '\n' && !strings.HasPrefix(rest, "\r\n") {
		return "", errAfterQuote
	}
	if rest != "" && rest[0] == '\r' {
		c.pos++
	}
	if doubled {
		f = strings.ReplaceAll(f, `""`, `"`)
	}
	if strings.Contains(f, "\r\n") {
		f = strings.ReplaceAll(f, "\r\n", "\n")
	}
	return f, nil
}

// skipLine moves past the rest of the current line.
func (c *csvScanner) skipLine() {
	j := strings.IndexByte(c.s[c.pos:], '\n')
	if j < 0 {
		c.pos = len(c.s)
		return
	}
	c.pos += j + 1
	c.line++
}

// readText reads all of rd into one string, sized up front when rd tells
// its length.
func readText(rd io.Reader) (string, error) {
	var b strings.Builder
	switch v := rd.(type) {
	case interface{ Len() int }:
		b.Grow(v.Len())
	case interface{ Size() int64 }:
		b.Grow(int(v.Size()))
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			b.Grow(int(fi.Size()))
		}
	}
	if _, err := io.Copy(&b, rd); err != nil {
		return "", err
	}
	return b.String(), nil
}
