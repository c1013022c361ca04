package roster

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	old, _ := mustParse(t, "id,name,manager,caller,mobile,tags,word\n"+
		"E1,Ana,,,+13105550100,exec,apple\n"+
		"E2,Ben,E1,,,,\n"+
		"E3,Cy,E2,,,,\n"+
		"E4,Di,E1,,,,\n", Options{})
	new, _ := mustParse(t, "id,name,manager,caller,mobile,tags,word\n"+
		"E1,Ana Ruiz,,,+13105550101,exec;la,pear\n"+
		"E3,Cy,E2,E1,,,\n"+
		"E2,Ben,E1,,,,\n"+
		"E5,Ed,E2,,,,\n", Options{})
	want := Diff{
		Added:   []string{"E5"},
		Removed: []string{"E4"},
		Changed: []Change{
			{"E1", "name", "Ana", "Ana Ruiz"},
			{"E1", "mobile", "+13105550100", "+13105550101"},
			{"E1", "tags", "exec", "exec;la"},
			{"E1", "word", "(hidden)", "(hidden)"},
			{"E3", "caller", "", "E1"},
		},
		Moved: []Change{{"E3", "caller", "E2", "E1"}},
	}
	d := Compare(old, new)
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}
	if d.Empty() || !Compare(new, new).Empty() {
		t.Error("Empty is wrong")
	}
	if all := Compare(nil, new); len(all.Added) != 4 || len(all.Changed) != 0 {
		t.Errorf("from nil: %+v", all)
	}
	var b strings.Builder
	d.WriteText(&b)
	for _, line := range []string{
		"1 added, 1 removed, 5 field changes, 1 moved",
		"added    E5", "removed  E4",
		`changed  E1 name: "Ana" -> "Ana Ruiz"`,
		"moved    E3: called by E1, was E2",
	} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("text lacks %q:\n%s", line, b.String())
		}
	}
	if strings.Contains(b.String(), "apple") || strings.Contains(b.String(), "pear") {
		t.Errorf("text shows the word:\n%s", b.String())
	}
}

func TestDiffWriteTextLimits(t *testing.T) {
	var d Diff
	for range 120 {
		d.Added = append(d.Added, "X")
	}
	var b strings.Builder
	d.WriteText(&b)
	if got := strings.Count(b.String(), "added    X\n"); got != 50 {
		t.Errorf("%d added entries shown, want 50", got)
	}
	if !strings.Contains(b.String(), "… and 70 more\n") {
		t.Errorf("no count of the rest:\n%s", b.String())
	}
	b.Reset()
	Diff{}.WriteText(&b)
	if b.String() != "no changes\n" {
		t.Errorf("empty diff: %q", b.String())
	}
}
