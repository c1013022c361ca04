package roster

import (
	"reflect"
	"testing"
)

func TestContacts(t *testing.T) {
	def := []Method{SMS, Voice, Email}
	tests := []struct {
		name   string
		person Person
		order  []Method
		want   []Contact
	}{
		{"mobile gives sms and voice", Person{Mobile: "+1m", Email: "e@x.org"}, def,
			[]Contact{{SMS, "+1m"}, {Voice, "+1m"}, {Email, "e@x.org"}}},
		{"voice column preferred for voice", Person{Mobile: "+1m", Voice: "+1v"}, def,
			[]Contact{{SMS, "+1m"}, {Voice, "+1v"}}},
		{"voice only", Person{Voice: "+1v"}, def,
			[]Contact{{Voice, "+1v"}}},
		{"email only", Person{Email: "e@x.org"}, def,
			[]Contact{{Email, "e@x.org"}}},
		{"own order wins", Person{Mobile: "+1m", Email: "e@x.org", Order: []Method{Email, Voice}}, def,
			[]Contact{{Email, "e@x.org"}, {Voice, "+1m"}}},
		{"default order used", Person{Mobile: "+1m", Email: "e@x.org"}, []Method{Email, SMS},
			[]Contact{{Email, "e@x.org"}, {SMS, "+1m"}}},
		{"webhook has no address", Person{Mobile: "+1m"}, []Method{Webhook, SMS},
			[]Contact{{SMS, "+1m"}}},
		{"nothing", Person{}, def, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.person.Contacts(tt.order); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCallerID(t *testing.T) {
	tests := []struct {
		p    Person
		want string
	}{
		{Person{Manager: "M", Caller: "C"}, "C"},
		{Person{Manager: "M"}, "M"},
		{Person{}, ""},
	}
	for _, tt := range tests {
		if got := tt.p.CallerID(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestIndexOnLiteralRoster(t *testing.T) {
	r := &Roster{People: []Person{{ID: "A"}, {ID: "B", Manager: "A"}, {ID: "A"}}}
	if i, ok := r.Index("B"); !ok || i != 1 {
		t.Errorf("Index(B) = %d, %v", i, ok)
	}
	if i, _ := r.Index("A"); i != 0 {
		t.Errorf("Index(A) = %d, want the first", i)
	}
	if _, ok := r.Index("Z"); ok {
		t.Error("Index(Z) found")
	}
	if got := r.Tree().Parent; !reflect.DeepEqual(got, []int32{-1, 0, -1}) {
		t.Errorf("parents %v", got)
	}
}
