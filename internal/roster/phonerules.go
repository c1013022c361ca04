package roster

import "github.com/nyaruka/phonenumbers"

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
	optional := func(pattern string) *digitDFA {
		if pattern == "" {
			return nil
		}
		dfa, good := newDigitDFA(pattern)
		ok = ok && good
		return dfa
	}
	r := &regionRules{
		general: desc(m.GetGeneralDesc()),
		types: []descRule{
			desc(m.GetPremiumRate()), desc(m.GetTollFree()), desc(m.GetSharedCost()),
			desc(m.GetVoip()), desc(m.GetPersonalNumber()), desc(m.GetPager()),
			desc(m.GetUan()), desc(m.GetVoicemail()), desc(m.GetFixedLine()),
		},
		leading:   optional(m.GetLeadingDigits()),
		natPrefix: optional(m.GetNationalPrefixForParsing()),
	}
	if !m.GetSameMobileAndFixedLinePattern() {
		r.types = append(r.types, desc(m.GetMobile()))
	}
	// An empty international prefix matches everything, as in the library.
	r.idd, _ = newDigitDFA(m.GetInternationalPrefix())
	if r.idd == nil || !ok {
		return nil
	}
	return r
}
