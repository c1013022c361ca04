package roster

import (
	"errors"
	"fmt"
	"io"
	"slices"
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
	text, err := readText(rd)
	if err != nil {
		return nil, Report{}, fmt.Errorf("roster: %w", err)
	}
	text = strings.TrimPrefix(text, "\ufeff")
	sc := newCSVScanner(text)
	header, _, err := sc.next()
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
	// Rows are at most lines, so People never has to grow.
	rows := strings.Count(text, "\n") + 1
	p.people, p.lines = make([]Person, 0, rows), make([]int32, 0, rows)
	for {
		rec, line, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.report.errorf(line, "", p.fieldName(sc.bad), "%v", err)
			continue
		}
		p.row(rec, line)
	}
	r := p.roster()
	lint(r, &p.report, opt, p.skipped)
	p.report.sort()
	return r, p.report, nil
}

// parser turns CSV records into people, collecting row-level problems.
type parser struct {
	cols    [numCols]int // record position of each column, -1 if absent
	width   int
	phones  *phoneBook
	header  []string
	people  []Person
	lines   []int32
	tags    map[string][]string // tag lists by cell, shared between people
	skipped map[string]bool     // ids of rows that could not be read
	report  Report
}

// maxSharedTags bounds the tag lists kept for sharing.
const maxSharedTags = 1 << 12

func newParser(header []string, ignoreUnknown bool, phones *phoneBook) (*parser, error) {
	p := &parser{
		width: len(header), header: slices.Clone(header), phones: phones,
		tags: map[string][]string{}, skipped: map[string]bool{},
	}
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
	if blank(rec) {
		return
	}
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
		Tags:     p.tagList(p.text(rec, colTags)),
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
	if per.ID == "" {
		p.report.errorf(line, "", "id", "empty id")
	}
	p.people = append(p.people, per)
	p.lines = append(p.lines, int32(line))
}

// fieldName names the field at position i of a record.
func (p *parser) fieldName(i int) string {
	if i < len(p.header) {
		return strings.ToLower(strings.TrimSpace(p.header[i]))
	}
	return ""
}

// tagList splits a tags cell, sharing the list with earlier people who
// have the same cell.
func (p *parser) tagList(cell string) []string {
	if t, ok := p.tags[cell]; ok {
		return t
	}
	t := splitList(cell)
	if len(p.tags) < maxSharedTags {
		p.tags[cell] = t
	}
	return t
}

// roster assembles the people read and indexes them by id, reporting
// duplicate ids.
func (p *parser) roster() *Roster {
	people := p.people
	index := make(map[string]int32, len(people))
	for i := range people {
		id := people[i].ID
		if id == "" {
			continue
		}
		if first, dup := index[id]; dup {
			p.report.errorf(int(p.lines[i]), id, "id", "duplicate id %q (first on line %d)", id, p.lines[first])
			continue
		}
		index[id] = int32(i)
	}
	return &Roster{People: people, lines: p.lines, index: index}
}

// blank reports whether every field of rec is empty or spaces, as in the
// ",,,," rows spreadsheets leave at the end of an export.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
