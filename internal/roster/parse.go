package roster

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Parse reads a roster CSV as HR systems write it: UTF-8 with or without a
// byte order mark, CRLF or LF line ends, quoted fields, header names in any
// case and columns in any order. Only the `id` column is required.
//
// Every problem found is in the Report, each with its line (the header is
// line 1) and field; the returned error is only for failing I/O and for a
// header that cannot be used (no `id` column, a repeated column, or an
// unknown column when opt.IgnoreUnknown is not set).
//
// Values are trimmed, a leading single quote that neutralises a spreadsheet
// formula is removed (see WriteCSV), and numbers are normalised to E.164.
func Parse(rd io.Reader, opt Options) (*Roster, Report, error) {
	opt = opt.withDefaults()
	phones, err := newPhoneBook(opt.Region)
	if err != nil {
		return nil, Report{}, fmt.Errorf("roster: %w", err)
	}
	br := bufio.NewReaderSize(rd, 1<<18)
	if err := skipBOM(br); err != nil {
		return nil, Report{}, fmt.Errorf("roster: %w", err)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Report{}, errors.New("roster: empty file: want a header line with at least an id column")
	}
	if err != nil {
		return nil, Report{}, fmt.Errorf("roster: header: %w", err)
	}
	p, err := newParser(header, opt.IgnoreUnknown, phones)
	if err != nil {
		return nil, Report{}, fmt.Errorf("roster: header: %w", err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			p.report.errorf(perr.StartLine, "", "", "%v", perr.Err)
			continue
		}
		if err != nil {
			return nil, Report{}, fmt.Errorf("roster: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p.row(rec, line)
	}
	r := &Roster{People: p.people, lines: p.lines, index: p.index}
	lint(r, &p.report, opt, p.skipped)
	p.report.sort()
	return r, p.report, nil
}

func skipBOM(br *bufio.Reader) error {
	b, err := br.Peek(3)
	if err != nil && err != io.EOF {
		return err
	}
	if len(b) == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, err := br.Discard(3)
		return err
	}
	return nil
}

// parser turns CSV records into people, collecting row-level problems.
type parser struct {
	cols    [numCols]int // record position of each column, -1 if absent
	width   int
	phones  *phoneBook
	people  []Person
	lines   []int32
	index   map[string]int32
	skipped map[string]bool // ids of rows that could not be read
	report  Report
}

func newParser(header []string, ignoreUnknown bool, phones *phoneBook) (*parser, error) {
	p := &parser{width: len(header), phones: phones, index: map[string]int32{}, skipped: map[string]bool{}}
	for c := range p.cols {
		p.cols[c] = -1
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		c := columnIndex(name)
		switch {
		case c < 0 && ignoreUnknown:
			continue
		case c < 0:
			return nil, fmt.Errorf("unknown column %q in position %d (known columns: %s)", h, i+1, strings.Join(columns[:], ", "))
		case p.cols[c] >= 0:
			return nil, fmt.Errorf("column %q appears twice", name)
		}
		p.cols[c] = i
	}
	if p.cols[colID] < 0 {
		return nil, errors.New("no id column")
	}
	return p, nil
}

func columnIndex(name string) int {
	for c, n := range columns {
		if n == name {
			return c
		}
	}
	return -1
}

// raw returns column c of rec, trimmed.
func (p *parser) raw(rec []string, c int) string {
	if p.cols[c] < 0 {
		return ""
	}
	return strings.TrimSpace(rec[p.cols[c]])
}

// text returns a free-text column, its formula neutralisation undone.
func (p *parser) text(rec []string, c int) string {
	return unneutralise(p.raw(rec, c))
}

func (p *parser) row(rec []string, line int) {
	if len(rec) != p.width {
		p.report.errorf(line, "", "", "row has %d fields, header has %d", len(rec), p.width)
		if p.cols[colID] < len(rec) {
			p.skipped[p.text(rec, colID)] = true
		}
		return
	}
	per := Person{
		ID:       p.text(rec, colID),
		Name:     p.text(rec, colName),
		Manager:  p.text(rec, colManager),
		Caller:   p.text(rec, colCaller),
		Backups:  splitList(p.text(rec, colBackups)),
		Tags:     splitList(p.text(rec, colTags)),
		Timezone: p.text(rec, colTimezone),
		Language: p.text(rec, colLanguage),
		Word:     p.text(rec, colWord),
		PIN:      p.text(rec, colPIN),
	}
	id := per.ID
	per.Mobile = p.number(rec, colMobile, line, id)
	per.Voice = p.number(rec, colVoice, line, id)
	if v := p.text(rec, colEmail); v != "" {
		if validEmail(v) {
			per.Email = v
		} else {
			p.report.errorf(line, id, "email", "%q is not a valid email address", v)
		}
	}
	order, err := parseOrder(p.raw(rec, colOrder))
	if err != nil {
		p.report.errorf(line, id, "order", "%v", err)
	}
	per.Order = order
	p.add(per, line)
}

func (p *parser) number(rec []string, c, line int, id string) string {
	v := p.raw(rec, c)
	if v == "" {
		return ""
	}
	e164, err := p.phones.normalise(v)
	if err != nil {
		p.report.errorf(line, id, columns[c], "%v", err)
	}
	return e164
}

func (p *parser) add(per Person, line int) {
	switch first, dup := p.index[per.ID]; {
	case per.ID == "":
		p.report.errorf(line, "", "id", "empty id")
	case dup:
		p.report.errorf(line, per.ID, "id", "duplicate id %q (first on line %d)", per.ID, p.lines[first])
	default:
		p.index[per.ID] = int32(len(p.people))
	}
	p.people = append(p.people, per)
	p.lines = append(p.lines, int32(line))
}
