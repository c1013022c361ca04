package roster

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteCSV writes the canonical export: the header
// id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language,order,word,pin
// then one person a line in roster order, numbers in E.164 and lists joined
// with ";". Parse reads it back to an identical roster.
//
// A spreadsheet reads a cell starting with = + - or @ as a formula, which an
// attacker who controls a name could use. Every column but the numbers and
// the order is therefore neutralised: such a value is written with a leading
// single quote, which Parse removes again (a value that itself starts with a
// quote and one of those characters, or two quotes, gets one more quote).
func WriteCSV(w io.Writer, r *Roster) error {
	cw := newRowWriter(w)
	for _, c := range columns {
		cw.field(c)
	}
	cw.end()
	for i := range r.People {
		p := &r.People[i]
		cw.text(p.ID)
		cw.text(p.Name)
		cw.text(p.Manager)
		cw.text(p.Caller)
		cw.text(strings.Join(p.Backups, ";"))
		cw.field(p.Mobile)
		cw.field(p.Voice)
		cw.text(p.Email)
		cw.text(strings.Join(p.Tags, ";"))
		cw.text(p.Timezone)
		cw.text(p.Language)
		cw.field(joinOrder(p.Order))
		cw.text(p.Word)
		cw.text(p.PIN)
		cw.end()
	}
	if err := cw.flush(); err != nil {
		return fmt.Errorf("roster: export: %w", err)
	}
	return nil
}

// rowWriter writes CSV rows (RFC 4180, LF line ends) without building a
// string per row.
type rowWriter struct {
	bw    *bufio.Writer
	first bool
}

func newRowWriter(w io.Writer) *rowWriter {
	return &rowWriter{bw: bufio.NewWriterSize(w, 1<<16), first: true}
}

// text writes a free-text field, neutralising spreadsheet formulas.
func (c *rowWriter) text(v string) { c.field(neutralise(v)) }

// field writes one field, quoted when it holds a comma, a quote, a line
// break or surrounding space.
func (c *rowWriter) field(v string) {
	c.sep()
	if !needsQuotes(v) {
		c.bw.WriteString(v)
		return
	}
	c.bw.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			c.bw.WriteByte('"')
		}
		c.bw.WriteByte(v[i])
	}
	c.bw.WriteByte('"')
}

// bytes writes a field known to need no quoting.
func (c *rowWriter) bytes(b []byte) {
	c.sep()
	c.bw.Write(b)
}

func (c *rowWriter) sep() {
	if !c.first {
		c.bw.WriteByte(',')
	}
	c.first = false
}

func (c *rowWriter) end() {
	c.bw.WriteByte('\n')
	c.first = true
}

func (c *rowWriter) flush() error { return c.bw.Flush() }

func needsQuotes(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' {
		return true
	}
	return strings.ContainsAny(v, ",\"\r\n")
}
