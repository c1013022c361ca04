// Package roster holds the people a phone tree reaches: who they are, how to
// contact them, and who calls whom.
//
// It reads the CSV that HR systems export (Parse), checks it (the lint
// Report), exports it again losslessly (WriteCSV), stores versions of it in a
// compact binary form (Encode, Decode), compares versions (Compare), shows the
// calling tree (Tree, WriteTree) and generates synthetic organisations for
// demos and benchmarks (Generate).
//
// The package is pure: it does no I/O beyond the readers and writers it is
// given, knows nothing of SQL or HTTP, and never reads the clock.
package roster

import (
	"strings"
	"sync"
)

// Method is a way to reach a person.
type Method string

// The contact methods.
const (
	SMS     Method = "sms"
	Voice   Method = "voice"
	Email   Method = "email"
	Webhook Method = "webhook"
)

// Contact is one way to reach one person: a method and its address.
type Contact struct {
	Method  Method
	Address string
}

// Person is one row of the roster.
type Person struct {
	ID, Name, Manager, Caller string
	Backups                   []string
	// Numbers are in E.164. Mobile gets sms and voice; Voice is voice only.
	Mobile, Voice, Email string
	Tags                 []string
	Timezone, Language   string
	// Order is the person's own contact order; nil means the bulletin's.
	Order []Method
	// Word is the anti-phishing word and PIN the hotline PIN, both optional.
	Word, PIN string
}

// CallerID returns the id of the person who calls p: Caller if set, else
// Manager, and "" for a root of the tree.
func (p *Person) CallerID() string {
	if p.Caller != "" {
		return p.Caller
	}
	return p.Manager
}

// Contacts returns the person's usable contact methods in order: p.Order if
// set, else defaultOrder. SMS goes to Mobile; voice to Voice if set, else to
// Mobile; email to Email. Methods without an address are skipped, and so is
// a method listed twice.
func (p *Person) Contacts(defaultOrder []Method) []Contact {
	order := p.Order
	if len(order) == 0 {
		order = defaultOrder
	}
	var out []Contact
	for i, m := range order {
		addr := p.address(m)
		if addr == "" || containsMethod(order[:i], m) {
			continue
		}
		out = append(out, Contact{Method: m, Address: addr})
	}
	return out
}

func (p *Person) address(m Method) string {
	switch m {
	case SMS:
		return p.Mobile
	case Voice:
		if p.Voice != "" {
			return p.Voice
		}
		return p.Mobile
	case Email:
		return p.Email
	}
	return ""
}

func (p *Person) reachable() bool {
	return p.Mobile != "" || p.Voice != "" || p.Email != ""
}

func containsMethod(ms []Method, m Method) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// Options configure Parse. The zero value is usable.
type Options struct {
	Region        string // default region for numbers without country code; "" means "US"
	IgnoreUnknown bool   // unknown columns are an error unless set
	FanOutLimit   int    // warn when a caller has more callees; 0 means 10
	DepthLimit    int    // warn when a person is deeper; 0 means 8
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "US"
	}
	o.Region = strings.ToUpper(o.Region)
	if o.FanOutLimit <= 0 {
		o.FanOutLimit = 10
	}
	if o.DepthLimit <= 0 {
		o.DepthLimit = 8
	}
	return o
}

// Roster is one imported state of the roster. It must not be changed once
// built: its index and tree are computed once.
type Roster struct {
	People []Person // in file order

	lines     []int32 // CSV line of each person; nil when not parsed
	index     map[string]int32
	indexOnce sync.Once
	tree      *Tree
	treeOnce  sync.Once
}

// Index returns the position in People of the person with the given id (the
// first one, should ids repeat).
func (r *Roster) Index(id string) (int, bool) {
	r.indexOnce.Do(func() {
		if r.index == nil {
			r.index = buildIndex(r.People)
		}
	})
	i, ok := r.index[id]
	return int(i), ok
}

func buildIndex(people []Person) map[string]int32 {
	idx := make(map[string]int32, len(people))
	for i := range people {
		if _, dup := idx[people[i].ID]; !dup && people[i].ID != "" {
			idx[people[i].ID] = int32(i)
		}
	}
	return idx
}

// line returns the CSV line of person i, or 0 when unknown.
func (r *Roster) line(i int) int {
	if i < len(r.lines) {
		return int(r.lines[i])
	}
	return 0
}
