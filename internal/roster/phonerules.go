package roster

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// rulesFor returns the rules of region, building them on first use, or nil
// when the region is unknown or uses a pattern the automata do not model.
func (b *phoneBook) rulesFor(region string) *regionRules {
	if r, ok := b.rules[region]; ok {
		return r
	}
	r := buildRules(b.meta[region])
	b.rules[region] = r
	return r
}

func buildRules(m *phonenumbers.PhoneMetadata) *regionRules {
	if m == nil {
		return nil
	}
	ok := true
	desc := func(d *phonenumbers.PhoneNumberDesc) descRule {
		dfa, good := newDigitDFA(d.GetNationalNumberPattern())
		ok = ok && good
		return descRule{lengths: d.GetPossibleLength(), dfa: dfa}
	}
	r := &regionRules{
		general: desc(m.GetGeneralDesc()),
		types: []descRule{
			desc(m.GetPremiumRate()), desc(m.GetTollFree()), desc(m.GetSharedCost()),
			desc(m.GetVoip()), desc(m.GetPersonalNumber()), desc(m.GetPager()),
			desc(m.GetUan()), desc(m.GetVoicemail()), desc(m.GetFixedLine()),
		},
		local: m.GetGeneralDesc().GetPossibleLengthLocalOnly(),
	}
	if !m.GetSameMobileAndFixedLinePattern() {
		r.types = append(r.types, desc(m.GetMobile()))
	}
	if ld := m.GetLeadingDigits(); ld != "" {
		var good bool
		r.leading, good = newDigitDFA(ld)
		ok = ok && good
	}
	if !ok {
		return nil
	}
	// The prefixes matter only in some steps; when they use patterns the
	// automata do not model, those steps leave the number to the library.
	if np := m.GetNationalPrefixForParsing(); np != "" {
		r.natPrefix, r.natPrefixOK = newDigitDFA(np)
	} else {
		r.natPrefixOK = true
	}
	if m.GetNationalPrefixTransformRule() == "" {
		r.prefixes = literalAlternatives(m.GetNationalPrefixForParsing())
	}
	// An empty international prefix matches everything, as in the library.
	r.idd, r.iddOK = newDigitDFA(m.GetInternationalPrefix())
	return r
}

// literalAlternatives returns the alternatives of a pattern such as
// "0|180020", in order, or nil when the pattern is anything else.
func literalAlternatives(pattern string) []string {
	if pattern == "" {
		return nil
	}
	alts := strings.Split(pattern, "|")
	for _, a := range alts {
		if a == "" || strings.Trim(a, "0123456789") != "" {
			return nil
		}
	}
	return alts
}

// stripNationalPrefix mirrors the library's stripping of a national prefix
// (such as the 0 of "020 7946 0000") from a national number, for prefixes
// made of plain digits: ok is false when the rule is one it does not model.
func (r *regionRules) stripNationalPrefix(nsn string) (kept string, ok bool) {
	if !r.natPrefixOK || len(r.general.lengths) == 0 {
		return "", false
	}
	if r.natPrefix == nil || !r.natPrefix.prefix(nsn) {
		return nsn, true
	}
	// Go's regexp takes the first alternative that matches.
	i := slices.IndexFunc(r.prefixes, func(p string) bool { return strings.HasPrefix(nsn, p) })
	if i < 0 {
		return "", false
	}
	rest := nsn[len(r.prefixes[i]):]
	// The library keeps a number that fits the general pattern only with
	// the prefix, or that would be of an impossible length without it.
	if r.general.dfa.full(nsn) && !r.general.dfa.full(rest) {
		return nsn, true
	}
	if !r.possibleLength(len(rest)) {
		return nsn, true
	}
	return rest, true
}

// possibleLength mirrors the library's length test of a stripped number:
// too long passes, too short, local-only or otherwise impossible does not.
func (r *regionRules) possibleLength(n int) bool {
	lengths := r.general.lengths
	if lengths[0] == -1 || slices.Contains(r.local, int32(n)) {
		return false
	}
	if int32(n) > lengths[len(lengths)-1] {
		return true
	}
	return slices.Contains(lengths, int32(n))
}
