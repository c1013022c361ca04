package roster

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Change is one difference for one person. For a changed field, Field is
// the column name; for a move in the tree, Field is "caller" and Old and New
// are the effective callers. The secret columns word and pin are never shown:
// their values read "(hidden)".
type Change struct {
	ID, Field, Old, New string
}

// Diff is what changed from one roster version to the next.
type Diff struct {
	Added, Removed []string // ids, in the order of the new and old roster
	Changed        []Change // field by field, in the order of the new roster
	Moved          []Change // people whose effective caller changed
}

// Compare returns the differences from old to new. old may be nil, making
// everyone added.
func Compare(old, new *Roster) Diff {
	var d Diff
	if old == nil {
		old = &Roster{}
	}
	for i := range new.People {
		p := &new.People[i]
		j, ok := old.Index(p.ID)
		if !ok {
			d.Added = append(d.Added, p.ID)
			continue
		}
		o := &old.People[j]
		d.Changed = appendChanges(d.Changed, o, p)
		if o.CallerID() != p.CallerID() {
			d.Moved = append(d.Moved, Change{ID: p.ID, Field: "caller", Old: o.CallerID(), New: p.CallerID()})
		}
	}
	for i := range old.People {
		if _, ok := new.Index(old.People[i].ID); !ok {
			d.Removed = append(d.Removed, old.People[i].ID)
		}
	}
	return d
}

func appendChanges(out []Change, o, p *Person) []Change {
	add := func(field, a, b string) {
		if a != b {
			out = append(out, Change{ID: p.ID, Field: field, Old: a, New: b})
		}
	}
	addList := func(field string, a, b []string) {
		if !slices.Equal(a, b) {
			out = append(out, Change{ID: p.ID, Field: field, Old: strings.Join(a, ";"), New: strings.Join(b, ";")})
		}
	}
	add("name", o.Name, p.Name)
	add("manager", o.Manager, p.Manager)
	add("caller", o.Caller, p.Caller)
	addList("backups", o.Backups, p.Backups)
	add("mobile", o.Mobile, p.Mobile)
	add("voice", o.Voice, p.Voice)
	add("email", o.Email, p.Email)
	addList("tags", o.Tags, p.Tags)
	add("timezone", o.Timezone, p.Timezone)
	add("language", o.Language, p.Language)
	add("order", joinOrder(o.Order), joinOrder(p.Order))
	addSecret := func(field, a, b string) {
		if a != b {
			out = append(out, Change{ID: p.ID, Field: field, Old: hidden(a), New: hidden(b)})
		}
	}
	addSecret("word", o.Word, p.Word)
	addSecret("pin", o.PIN, p.PIN)
	return out
}

func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return "(hidden)"
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.Moved) == 0
}

// diffLimit is how many entries of each kind WriteText shows.
const diffLimit = 50

// WriteText writes a summary line with the counts, then up to 50 entries of
// each kind followed by how many more there are.
func (d Diff) WriteText(w io.Writer) {
	if d.Empty() {
		fmt.Fprintln(w, "no changes")
		return
	}
	fmt.Fprintf(w, "%d added, %d removed, %s, %d moved\n",
		len(d.Added), len(d.Removed), plural(len(d.Changed), "field change"), len(d.Moved))
	writeEntries(w, len(d.Added), func(i int) string { return "added    " + d.Added[i] })
	writeEntries(w, len(d.Removed), func(i int) string { return "removed  " + d.Removed[i] })
	writeEntries(w, len(d.Changed), func(i int) string {
		c := d.Changed[i]
		return fmt.Sprintf("changed  %s %s: %q -> %q", c.ID, c.Field, c.Old, c.New)
	})
	writeEntries(w, len(d.Moved), func(i int) string {
		c := d.Moved[i]
		return fmt.Sprintf("moved    %s: called by %s, was %s", c.ID, orNone(c.New), orNone(c.Old))
	})
}

func writeEntries(w io.Writer, n int, entry func(int) string) {
	for i := 0; i < n && i < diffLimit; i++ {
		fmt.Fprintln(w, entry(i))
	}
	if n > diffLimit {
		fmt.Fprintf(w, "         … and %d more\n", n-diffLimit)
	}
}

func orNone(id string) string {
	if id == "" {
		return "no one (root)"
	}
	return id
}
