package roster

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// library is the reference: the phonenumbers library alone.
func library(s, region string) (string, bool) {
	num, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(num) || num.GetExtension() != "" {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

func sampleNumbers(rng *rand.Rand, n int) []string {
	ccs := []string{"1", "44", "49", "33", "39", "34", "7", "81", "86", "91", "61", "55", "52", "27", "353", "358", "971", "800", "882", "383", "0"}
	hand := []string{
		"+13105550100", "+1 310 555", "+1 (310) 555-0100", "+1.310.555.0100", "+1-310-555-0100",
		"(310) 555-0100", "310-555-0100", "3105550100", "13105550100", "1 310 555 0100",
		"+11234567890", "+1310555010", "+131055501000", "+442079460000", "+4402079460000",
		"+390612345678", "+393123456789", "+0013105550100", "011 44 20 7946 0000", "+16045551234",
		"+12425551234", "+18095551234", "+18005551234", "+19005551234", "+15555550100",
		"+33612345678", "+330612345678", "+4915123456789", "+80012345678", "+1", "+12", "12",
		"+1 310 555 0100 ext 12", "tel:+1-310-555-0100", "abc", "+1310555O100", "+12015550123",
		"020 7946 0000", "+44 (0)20 7946 0000", "0044 20 7946 0000", "07911 123456", "030 1234567",
		"+49 (0)30 1234567", "01 23 45 67 89", "+33 (0)1 23 45 67 89", "1800 123 456", "+61 2 1234 5678",
		"+7 8 495 123 4567", "8 495 123 4567", "+39 06 1234 5678", "+81 3-1234-5678", "+1 268 464 1234",
	}
	out := append([]string(nil), hand...)
	for len(out) < n {
		var s string
		switch rng.IntN(4) {
		case 0: // plausible NANP numbers
			s = fmt.Sprintf("+1%d%02d%d%02d%04d", 2+rng.IntN(8), rng.IntN(100), 2+rng.IntN(8), rng.IntN(100), rng.IntN(10000))
		case 1: // national US form
			s = fmt.Sprintf("(%d%02d) %d%02d-%04d", 2+rng.IntN(8), rng.IntN(100), rng.IntN(10), rng.IntN(100), rng.IntN(10000))
		default: // random country code and length
			s = "+" + ccs[rng.IntN(len(ccs))]
			for k := 4 + rng.IntN(11); k > 0; k-- {
				s += string(rune('0' + rng.IntN(10)))
			}
		}
		out = append(out, s)
	}
	return out
}

func TestFastPathAgreesWithLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	nums := sampleNumbers(rng, 8000)
	var gen []string
	for r := range 3000 {
		b, _ := appendUSNumber(nil, uint64(r)*7919)
		gen = append(gen, string(b))
	}
	nums = append(nums, gen...)
	for _, region := range []string{"US", "GB", "DE", "CA", "FR", "AU", "RU"} {
		b, err := newPhoneBook(region)
		if err != nil {
			t.Fatal(err)
		}
		fastHits := 0
		for _, s := range nums {
			want, wantOK := library(s, region)
			got, err := b.normalise(s)
			if (err == nil) != wantOK || got != want {
				t.Errorf("%s %q: got %q, %v; library %q, %v", region, s, got, err, want, wantOK)
			}
			if _, ok := b.fast(s); ok {
				fastHits++
			}
		}
		t.Logf("%s: %d of %d numbers took the fast path", region, fastHits, len(nums))
	}
	b, _ := newPhoneBook("US")
	for _, s := range gen {
		if _, ok := b.fast(s); !ok {
			t.Errorf("generated number %q missed the fast path", s)
		}
	}
}

// TestFastPathAgreesInEveryRegion varies the example numbers of every
// region, in national, international and E.164 form, with digits changed.
func TestFastPathAgreesInEveryRegion(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	regions := slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions()))
	types := []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE}
	formats := []phonenumbers.PhoneNumberFormat{phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL, phonenumbers.E164}
	for _, region := range regions {
		b, err := newPhoneBook(region)
		if err != nil {
			t.Fatal(err)
		}
		for range 150 {
			ex := phonenumbers.GetExampleNumberForType(region, types[rng.IntN(len(types))])
			if ex == nil {
				continue
			}
			s := []byte(phonenumbers.Format(ex, formats[rng.IntN(len(formats))]))
			for range rng.IntN(4) {
				if j := rng.IntN(len(s)); s[j] >= '0' && s[j] <= '9' {
					s[j] = byte('0' + rng.IntN(10))
				}
			}
			if rng.IntN(10) == 0 {
				s = s[:len(s)-1]
			}
			want, wantOK := library(string(s), region)
			got, err := b.normalise(string(s))
			if (err == nil) != wantOK || got != want {
				t.Errorf("%s %q: got %q, %v; library %q, %v", region, s, got, err, want, wantOK)
			}
		}
	}
}
