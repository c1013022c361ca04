package roster

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// phoneBook normalises phone numbers to E.164 for one Parse.
//
// The phonenumbers library takes about 13µs a number (its patterns are
// evaluated with the regexp package, and rebuilt as strings on every call),
// which is most of a million-row import. So numbers written as "+" and digits
// (optionally with spaces, dashes, dots and parentheses), or in national form,
// take a fast path: it follows the library's own steps and evaluates the
// library's own metadata patterns with digit automata. The fast path only
// ever says "valid, and this is its E.164 form"; whenever a step it does not
// model could apply (international dialling prefixes, national prefixes that
// are not plain digits, Italian leading zeros, non-geographic codes), or the
// number looks invalid, the library decides and words the error. Tests check
// that both agree.
type phoneBook struct {
	region   string
	home     *regionRules // rules of the default region
	homeCC   string
	meta     map[string]*phonenumbers.PhoneMetadata
	rules    map[string]*regionRules // nil value: not modelled
	callable map[int]bool            // country calling codes the library knows
	digits   []byte
}

// regionRules are one region's metadata patterns as digit automata.
type regionRules struct {
	general descRule
	types   []descRule // the number types the library tries, in its order
	leading *digitDFA  // nil when the region has no leading digits
	local   []int32    // lengths of numbers only diallable locally

	natPrefix   *digitDFA // nil when there is no national prefix for parsing
	natPrefixOK bool      // the national prefix pattern is modelled
	prefixes    []string  // the national prefixes, when they are plain digits
	idd         *digitDFA // the international prefix
	iddOK       bool      // the international prefix pattern is modelled
}

type descRule struct {
	lengths []int32
	dfa     *digitDFA
}

func newPhoneBook(region string) (*phoneBook, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, fmt.Errorf("phone metadata: %w", err)
	}
	b := &phoneBook{
		region:   region,
		meta:     map[string]*phonenumbers.PhoneMetadata{},
		rules:    map[string]*regionRules{},
		callable: phonenumbers.GetSupportedCallingCodes(),
	}
	for _, m := range coll.GetMetadata() {
		if m.GetId() != "001" {
			b.meta[m.GetId()] = m
		}
	}
	if b.meta[region] == nil {
		return nil, fmt.Errorf("unknown phone region %q", region)
	}
	b.home = b.rulesFor(region)
	b.homeCC = strconv.Itoa(int(b.meta[region].GetCountryCode()))
	return b, nil
}

// normalise returns s in E.164, or an error saying why it is not a number.
func (b *phoneBook) normalise(s string) (string, error) {
	if e164, ok := b.fast(s); ok {
		return e164, nil
	}
	return b.slow(s)
}

func (b *phoneBook) slow(s string) (string, error) {
	num, err := phonenumbers.Parse(s, b.region)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number: %v", s, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%q is not a valid phone number", s)
	}
	if num.GetExtension() != "" {
		return "", fmt.Errorf("%q has an extension, which cannot be dialled", s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// fast returns the E.164 form of s when it can vouch that the library would
// parse s to that valid number.
func (b *phoneBook) fast(s string) (string, bool) {
	plus, digits, ok := b.plainDigits(s)
	if !ok || len(digits) < 4 || len(digits) > 20 {
		return "", false
	}
	if !plus {
		return b.national(digits)
	}
	return b.international(s, digits)
}

// international handles a number s written with a "+", whose digits are a
// country calling code then the national number.
func (b *phoneBook) international(s, digits string) (string, bool) {
	if digits[0] == '0' {
		return "", false
	}
	for i := 1; i <= 3; i++ {
		cc, _ := strconv.Atoi(digits[:i])
		if !b.callable[cc] {
			continue
		}
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			return "", false
		}
		nsn, ok := b.validNational(b.rulesFor(regions[0]), regions, digits[i:])
		if !ok {
			return "", false
		}
		switch {
		case len(nsn) < len(digits)-i:
			return "+" + digits[:i] + nsn, true // a national prefix was stripped
		case len(s) == len(digits)+1:
			return s, true // already in E.164
		}
		return "+" + digits, true
	}
	return "", false
}

// national handles a number written without a country code.
func (b *phoneBook) national(digits string) (string, bool) {
	// The library treats a leading international prefix or home country
	// code specially; leave those to it.
	if b.home == nil || !b.home.iddOK || b.home.idd.prefix(digits) || strings.HasPrefix(digits, b.homeCC) {
		return "", false
	}
	cc, _ := strconv.Atoi(b.homeCC)
	nsn, ok := b.validNational(b.home, phonenumbers.GetRegionCodesForCountryCode(cc), digits)
	if !ok {
		return "", false
	}
	return "+" + b.homeCC + nsn, true
}

// validNational follows the library from a national number: it strips a
// national prefix by the rules of strip, finds the region among regions
// (those of the country calling code), and checks the number against that
// region's patterns. It returns the national significant number the library
// would keep, and whether it can vouch that the number is valid.
func (b *phoneBook) validNational(strip *regionRules, regions []string, nsn string) (string, bool) {
	if len(nsn) < 2 || strip == nil || len(regions) == 0 {
		return "", false
	}
	nsn, ok := strip.stripNationalPrefix(nsn)
	if !ok || len(nsn) < 2 || len(nsn) > 17 || nsn[0] == '0' {
		return "", false
	}
	for _, region := range regions {
		r := b.rulesFor(region)
		if r == nil {
			return "", false
		}
		if len(regions) == 1 {
			return nsn, r.validNumber(nsn)
		}
		if r.leading != nil {
			if r.leading.prefix(nsn) {
				return nsn, r.validNumber(nsn)
			}
		} else if r.validNumber(nsn) {
			return nsn, true
		}
	}
	return "", false
}

// plainDigits returns the digits of s when s is an optional leading "+"
// followed by digits and the separators people type.
func (b *phoneBook) plainDigits(s string) (plus bool, digits string, ok bool) {
	if len(s) > 0 && s[0] == '+' {
		plus, s = true, s[1:]
	}
	clean := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			clean = false
		default:
			return false, "", false
		}
	}
	if clean {
		return plus, s, true
	}
	b.digits = b.digits[:0]
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.digits = append(b.digits, s[i])
		}
	}
	return plus, string(b.digits), true
}

// validNumber mirrors the library's number type test: the general pattern
// and at least one type's pattern must match.
func (r *regionRules) validNumber(nsn string) bool {
	if !r.general.match(nsn) {
		return false
	}
	for _, t := range r.types {
		if t.match(nsn) {
			return true
		}
	}
	return false
}

func (d descRule) match(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.dfa.full(nsn)
}
