package roster

import (
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// digitDFA is a deterministic automaton over the digits 0-9 for one
// libphonenumber pattern, built lazily from the pattern's compiled program.
// A match is one array lookup per digit, where the regexp package would
// simulate the whole (often very large) pattern for every number.
//
// A digitDFA is not safe for concurrent use: it grows as it meets new digits.
type digitDFA struct {
	prog   *syntax.Prog
	states []dfaState
	ids    map[string]int32
	stack  []uint32
	seen   []bool
	set    []uint32
}

type dfaState struct {
	pcs    []uint32  // the program instructions the state stands for
	next   [10]int32 // state id + 1 after each digit; 0 means not built yet
	accept bool      // the pattern matches the digits read so far
	dead   bool      // no continuation can match
}

// newDigitDFA compiles pattern. It returns ok false for patterns using
// features the automaton does not model (anchors, word boundaries); callers
// then use the phonenumbers library instead.
func newDigitDFA(pattern string) (*digitDFA, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, false
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth {
			return nil, false
		}
	}
	d := &digitDFA{prog: prog, ids: map[string]int32{}, seen: make([]bool, len(prog.Inst))}
	d.closure([]uint32{uint32(prog.Start)})
	return d, true
}

// full reports whether the pattern matches all of s (s must be digits).
func (d *digitDFA) full(s string) bool {
	st := int32(0)
	for i := 0; i < len(s) && !d.states[st].dead; i++ {
		st = d.step(st, s[i]-'0')
	}
	return d.states[st].accept
}

// prefix reports whether the pattern matches some prefix of s, as
// "^(?:pattern)" would.
func (d *digitDFA) prefix(s string) bool {
	st := int32(0)
	for i := 0; ; i++ {
		if d.states[st].accept {
			return true
		}
		if i == len(s) || d.states[st].dead {
			return false
		}
		st = d.step(st, s[i]-'0')
	}
}

func (d *digitDFA) step(st int32, digit byte) int32 {
	if n := d.states[st].next[digit]; n != 0 {
		return n - 1
	}
	var start []uint32
	r := rune('0' + digit)
	for _, pc := range d.states[st].pcs {
		in := &d.prog.Inst[pc]
		if isRune(in.Op) && in.MatchRune(r) {
			start = append(start, in.Out)
		}
	}
	n := d.closure(start)
	d.states[st].next[digit] = n + 1
	return n
}

// closure follows empty transitions from start and returns the id of the
// resulting state, creating it when new.
func (d *digitDFA) closure(start []uint32) int32 {
	d.set = d.set[:0]
	d.stack = append(d.stack[:0], start...)
	accept := false
	for len(d.stack) > 0 {
		pc := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		if d.seen[pc] {
			continue
		}
		d.seen[pc] = true
		in := &d.prog.Inst[pc]
		switch {
		case in.Op == syntax.InstAlt || in.Op == syntax.InstAltMatch:
			d.stack = append(d.stack, in.Out, in.Arg)
		case in.Op == syntax.InstCapture || in.Op == syntax.InstNop:
			d.stack = append(d.stack, in.Out)
		case in.Op == syntax.InstMatch:
			accept = true
		case isRune(in.Op):
			d.set = append(d.set, pc)
		}
	}
	clear(d.seen)
	slices.Sort(d.set)
	key := stateKey(d.set, accept)
	if id, ok := d.ids[key]; ok {
		return id
	}
	id := int32(len(d.states))
	d.ids[key] = id
	pcs := slices.Clone(d.set)
	d.states = append(d.states, dfaState{pcs: pcs, accept: accept, dead: len(pcs) == 0 && !accept})
	return id
}

func isRune(op syntax.InstOp) bool {
	switch op {
	case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}

func stateKey(pcs []uint32, accept bool) string {
	var b strings.Builder
	if accept {
		b.WriteByte('*')
	}
	for _, pc := range pcs {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	return b.String()
}
