package roster

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestScratchAllCC(t *testing.T) {
	var ccs []int
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		ccs = append(ccs, cc)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, region := range []string{"US", "GB", "IT", "BR", "AR", "MX", "IN", "RU"} {
		b, _ := newPhoneBook(region)
		valid, fast, bad := 0, 0, 0
		for i := 0; i < 100000; i++ {
			var s string
			if i%3 == 0 {
				ex := phonenumbers.GetExampleNumber(phonenumbers.GetRegionCodeForCountryCode(ccs[rng.IntN(len(ccs))]))
				if ex == nil { continue }
				e := phonenumbers.Format(ex, phonenumbers.E164)
				// mutate last digits
				bs := []byte(e)
				for k := 0; k < 1+rng.IntN(4); k++ { bs[len(bs)-1-k] = byte('0' + rng.IntN(10)) }
				s = string(bs)
			} else if i%3 == 1 {
				s = fmt.Sprintf("+%d", ccs[rng.IntN(len(ccs))])
				for k := 3 + rng.IntN(12); k > 0; k-- { s += string(rune('0' + rng.IntN(10))) }
			} else {
				s = ""
				for k := 4 + rng.IntN(10); k > 0; k-- { s += string(rune('0' + rng.IntN(10))) }
			}
			want, ok := library(s, region)
			got, err := b.normalise(s)
			if (err == nil) != ok || got != want {
				bad++
				if bad < 10 { t.Errorf("%s %q: got %q %v want %q %v", region, s, got, err, want, ok) }
			}
			if ok { valid++ }
			if _, f := b.fast(s); f { fast++ }
		}
		t.Logf("%s: valid %d fast %d", region, valid, fast)
	}
}
