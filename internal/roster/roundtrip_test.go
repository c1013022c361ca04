package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func generated(t testing.TB, people int, seed int64) *Roster {
	t.Helper()
	var b bytes.Buffer
	if err := Generate(&b, people, seed); err != nil {
		t.Fatal(err)
	}
	r, rep, err := Parse(&b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("generated roster has errors: %q", issueStrings(rep.Errors))
	}
	return r
}

func TestWriteCSVRoundTrip(t *testing.T) {
	r := generated(t, 5000, 7)
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language,order,word,pin\n") {
		t.Errorf("header: %q", strings.SplitN(b.String(), "\n", 2)[0])
	}
	back, rep, err := Parse(&b, Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("Parse of export: %v %q", err, issueStrings(rep.Errors))
	}
	if d := Compare(r, back); !d.Empty() {
		var text strings.Builder
		d.WriteText(&text)
		t.Errorf("diff of export is not empty:\n%s", text.String())
	}
	if !reflect.DeepEqual(r.People, back.People) {
		t.Error("export does not read back to an identical roster")
	}
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	hostile := &Roster{People: []Person{{
		ID: "=E1", Name: "=HYPERLINK(\"http://evil\",\"x\")", Manager: "", Caller: "",
		Backups: []string{"+E2", "E3"}, Mobile: "+13105550100", Email: "-x@example.org",
		Tags: []string{"@team", "=a"}, Timezone: "-05:00", Language: "+en",
		Word: "'=quoted", PIN: "''", Order: []Method{Voice},
	}, {ID: "+E2", Name: "'plain", Word: "''=two"}, {ID: "E3", Name: "a,b \"c\"\nd"}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, hostile); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range records[1:] {
		for c, field := range rec {
			if c != colMobile && c != colVoice && field != "" && isFormulaStart(field[0]) {
				t.Errorf("%s %q starts a formula", columns[c], field)
			}
		}
	}
	back, rep, err := Parse(&b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hostile.People, back.People) {
		t.Errorf("round trip changed the roster:\n got %+v\nwant %+v\nerrors %q", back.People, hostile.People, issueStrings(rep.Errors))
	}
}

func TestEncodeDecode(t *testing.T) {
	for _, r := range []*Roster{generated(t, 3000, 3), {}, {People: []Person{{ID: "x", Order: []Method{Email, SMS}, Tags: []string{""}}}}} {
		var b bytes.Buffer
		if err := Encode(&b, r); err != nil {
			t.Fatal(err)
		}
		if b.Bytes()[0] != binaryV1 {
			t.Errorf("first byte %#x, want the magic %#x", b.Bytes()[0], binaryV1)
		}
		back, err := Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.People) != len(back.People) || (len(r.People) > 0 && !reflect.DeepEqual(r.People, back.People)) {
			t.Fatal("decoded roster differs")
		}
		if len(r.People) > 0 {
			if i, ok := back.Index(r.People[len(r.People)-1].ID); !ok || i != len(r.People)-1 {
				t.Errorf("Index after Decode: %d %v", i, ok)
			}
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	var b bytes.Buffer
	if err := Encode(&b, generated(t, 200, 5)); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	cases := [][]byte{nil, {0x00}, {binaryV1}, good[:len(good)/2], append(bytes.Clone(good), 0), {binaryV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		c := bytes.Clone(good)
		for range 1 + rng.IntN(5) {
			c[1+rng.IntN(len(c)-1)] = byte(rng.IntN(256))
		}
		cases = append(cases, c)
	}
	for i, c := range cases {
		_, err := Decode(bytes.NewReader(c))
		if i < 6 && !errors.Is(err, ErrCorrupt) {
			t.Errorf("case %d: error %v, want ErrCorrupt", i, err)
		}
	}
}
