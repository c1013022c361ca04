package roster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// binaryV1 is the magic byte that starts version 1 of the binary form.
//
// Version 1 is the magic byte, the number of people (uvarint), then for each
// person its 14 fields in the order of WriteCSV's header: a string is its
// length (uvarint) and its bytes; a list (backups, tags, order) is its
// number of items (uvarint) and each item as a string.
const binaryV1 = 0xB1

// fieldsPerPerson is the number of fields each person has in the binary
// form; every field takes at least one byte.
const fieldsPerPerson = numCols

// ErrCorrupt is returned by Decode for data that is not a valid encoding.
var ErrCorrupt = errors.New("roster: corrupt binary encoding")

// Encode writes r in the compact binary form read by Decode.
func Encode(w io.Writer, r *Roster) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := []byte{binaryV1}
	buf = binary.AppendUvarint(buf, uint64(len(r.People)))
	for i := range r.People {
		p := &r.People[i]
		for _, s := range [...]string{p.ID, p.Name, p.Manager, p.Caller} {
			buf = appendString(buf, s)
		}
		buf = appendList(buf, p.Backups)
		for _, s := range [...]string{p.Mobile, p.Voice, p.Email} {
			buf = appendString(buf, s)
		}
		buf = appendList(buf, p.Tags)
		buf = appendString(buf, p.Timezone)
		buf = appendString(buf, p.Language)
		buf = binary.AppendUvarint(buf, uint64(len(p.Order)))
		for _, m := range p.Order {
			buf = appendString(buf, string(m))
		}
		buf = appendString(buf, p.Word)
		buf = appendString(buf, p.PIN)
		if len(buf) > 1<<15 {
			bw.Write(buf)
			buf = buf[:0]
		}
	}
	bw.Write(buf)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("roster: encode: %w", err)
	}
	return nil
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendList(buf []byte, items []string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(items)))
	for _, s := range items {
		buf = appendString(buf, s)
	}
	return buf
}

// Decode reads a roster written by Encode. It trusts the data (the store
// seals it) and does not validate it again, but corrupt data gives
// ErrCorrupt rather than a panic.
func Decode(rd io.Reader) (*Roster, error) {
	// One string holds all the data; every field is a slice of it.
	data, err := readText(rd)
	if err != nil {
		return nil, fmt.Errorf("roster: decode: %w", err)
	}
	if len(data) == 0 || data[0] != binaryV1 {
		return nil, fmt.Errorf("%w: unknown format or version", ErrCorrupt)
	}
	d := decoder{s: data[1:]}
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s))/fieldsPerPerson {
		return nil, fmt.Errorf("%w: bad person count", ErrCorrupt)
	}
	people := make([]Person, n)
	for i := range people {
		d.person(&people[i])
		if d.bad {
			return nil, fmt.Errorf("%w: person %d of %d", ErrCorrupt, i+1, n)
		}
	}
	if d.pos != len(d.s) {
		return nil, fmt.Errorf("%w: trailing data", ErrCorrupt)
	}
	return &Roster{People: people}, nil
}

type decoder struct {
	s       string
	pos     int
	bad     bool
	strs    []string // arena for lists
	methods []Method // arena for orders
}

func (d *decoder) person(p *Person) {
	p.ID, p.Name, p.Manager, p.Caller = d.str(), d.str(), d.str(), d.str()
	p.Backups = d.list()
	p.Mobile, p.Voice, p.Email = d.str(), d.str(), d.str()
	p.Tags = d.list()
	p.Timezone, p.Language = d.str(), d.str()
	p.Order = d.order()
	p.Word, p.PIN = d.str(), d.str()
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.pos >= len(d.s) {
			break
		}
		b := d.s[d.pos]
		d.pos++
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return x
		}
	}
	d.bad = true
	return 0
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s)-d.pos) {
		d.bad = true
		return ""
	}
	s := d.s[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return s
}

// count reads a list length, which cannot exceed the bytes left.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s)-d.pos) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *decoder) list() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	if len(d.strs) < n {
		d.strs = make([]string, max(n, 4096))
	}
	out := d.strs[:n:n]
	d.strs = d.strs[n:]
	for k := range out {
		out[k] = d.str()
	}
	return out
}

func (d *decoder) order() []Method {
	n := d.count()
	if n == 0 {
		return nil
	}
	if len(d.methods) < n {
		d.methods = make([]Method, max(n, 1024))
	}
	out := d.methods[:n:n]
	d.methods = d.methods[n:]
	for k := range out {
		out[k] = Method(d.str())
	}
	return out
}
