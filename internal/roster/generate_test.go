package roster

import (
	"bytes"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestGenerateDeterministic(t *testing.T) {
	gen := func(seed int64) []byte {
		var b bytes.Buffer
		if err := Generate(&b, 3000, seed); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b, c := gen(42), gen(42), gen(43)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different bytes")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same bytes")
	}
}

func TestGenerateShape(t *testing.T) {
	const n = 20000
	var b bytes.Buffer
	if err := Generate(&b, n, 1); err != nil {
		t.Fatal(err)
	}
	r, rep, err := Parse(&b, Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("Parse: %v, errors %q", err, issueStrings(rep.Errors))
	}
	if len(r.People) != n || r.People[0].ID != "E000001" || r.People[n-1].ID != "E020000" {
		t.Fatalf("%d people, first %s last %s", len(r.People), r.People[0].ID, r.People[n-1].ID)
	}
	tr := r.Tree()
	maxDepth, managers, reports := int32(0), 0, 0
	for i := range r.People {
		maxDepth = max(maxDepth, tr.Depth[i])
		if k := len(tr.Children[i]); k > 0 {
			managers++
			reports += k
			if k > 10 {
				t.Errorf("%s has %d callees", r.People[i].ID, k)
			}
		}
	}
	if len(tr.Roots) != 1 || maxDepth < 5 || maxDepth > 8 {
		t.Errorf("%d roots, depth %d", len(tr.Roots), maxDepth)
	}
	if mean := float64(reports) / float64(managers); mean < 4.5 || mean > 8 {
		t.Errorf("mean fan-out %.1f", mean)
	}
	count := func(f func(p *Person) bool) float64 {
		k := 0
		for i := range r.People {
			if f(&r.People[i]) {
				k++
			}
		}
		return 100 * float64(k) / n
	}
	shares := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"email only", count(func(p *Person) bool { return p.Mobile == "" && p.Email != "" }), 2, 4},
		{"no method", count(func(p *Person) bool { return !p.reachable() }), 0.5, 1.5},
		{"desk number", count(func(p *Person) bool { return p.Voice != "" }), 10, 20},
		{"explicit caller", count(func(p *Person) bool { return p.Caller != "" && p.Caller != p.Manager }), 1, 3},
		{"backups", count(func(p *Person) bool { return len(p.Backups) > 0 }), 5, 11},
		{"tags", count(func(p *Person) bool { return len(p.Tags) >= 2 }), 99, 100},
	}
	for _, s := range shares {
		if s.got < s.min || s.got > s.max {
			t.Errorf("%s: %.2f%%, want %.1f-%.1f%%", s.what, s.got, s.min, s.max)
		}
	}
	shared := 0
	for _, w := range rep.Warnings {
		if w.Field == "mobile" {
			shared++
		}
	}
	if shared == 0 || shared > n/200 {
		t.Errorf("%d shared numbers", shared)
	}
	for i := 0; i < n; i += 7 {
		if m := r.People[i].Mobile; m != "" {
			num, err := phonenumbers.Parse(m, "US")
			if err != nil || !phonenumbers.IsValidNumber(num) || phonenumbers.GetNumberType(num) != phonenumbers.FIXED_LINE_OR_MOBILE {
				t.Errorf("%s: %s is not a valid US mobile", r.People[i].ID, m)
			}
		}
	}
}

func TestGenerateSmall(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 100} {
		var b bytes.Buffer
		if err := Generate(&b, n, 1); err != nil {
			t.Fatal(err)
		}
		r, rep, err := Parse(&b, Options{})
		if err != nil || !rep.OK() || len(r.People) != n {
			t.Errorf("%d: %v, %d people, errors %q", n, err, len(r.People), issueStrings(rep.Errors))
		}
	}
	if err := Generate(&bytes.Buffer{}, -1, 1); err == nil {
		t.Error("negative size accepted")
	}
}
