package roster

import (
	"cmp"
	"fmt"
	"io"
	"slices"
)

// Issue is one problem found in a roster: an error refuses the import, a
// warning does not.
type Issue struct {
	Line    int    // 1-based line of the CSV file (the header is line 1); 0 if unknown
	ID      string // the person concerned, if any
	Field   string // the column concerned, or what was checked ("fan-out", "depth")
	Message string
	Warning bool
}

// String formats the issue as `line 3: manager: unknown id "E9"`.
func (i Issue) String() string {
	s := ""
	switch {
	case i.Line > 0:
		s = fmt.Sprintf("line %d: ", i.Line)
	case i.ID != "":
		s = fmt.Sprintf("id %s: ", i.ID)
	}
	if i.Field != "" {
		s += i.Field + ": "
	}
	return s + i.Message
}

// Report is the lint report of one roster.
type Report struct {
	Errors, Warnings []Issue
}

// OK reports whether the roster may be imported: it has no errors.
func (r Report) OK() bool { return len(r.Errors) == 0 }

// reportLimit is how many issues of one kind WriteText shows.
const reportLimit = 50

// WriteText writes the report for a person to read: a summary line, then the
// errors and the warnings, at most 50 of each kind (field) followed by how
// many more there are.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s, %s\n", plural(len(r.Errors), "error"), plural(len(r.Warnings), "warning"))
	writeIssues(w, "error", r.Errors)
	writeIssues(w, "warning", r.Warnings)
}

func writeIssues(w io.Writer, label string, issues []Issue) {
	shown := map[string]int{}
	for _, is := range issues {
		shown[is.Field]++
		if shown[is.Field] <= reportLimit {
			fmt.Fprintf(w, "%-8s %s\n", label+":", is)
		}
	}
	fields := make([]string, 0, len(shown))
	for f := range shown {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		if more := shown[f] - reportLimit; more > 0 {
			fmt.Fprintf(w, "%-8s … and %d more %s %ss\n", label+":", more, kindName(f), label)
		}
	}
}

func kindName(field string) string {
	if field == "" {
		return "row"
	}
	return field
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (r *Report) errorf(line int, id, field, format string, args ...any) {
	r.Errors = append(r.Errors, Issue{Line: line, ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (r *Report) warnf(line int, id, field, format string, args ...any) {
	r.Warnings = append(r.Warnings, Issue{Line: line, ID: id, Field: field, Message: fmt.Sprintf(format, args...), Warning: true})
}

// sort orders issues by line, keeping the order they were found in within
// a line.
func (r *Report) sort() {
	byLine := func(a, b Issue) int { return cmp.Compare(a.Line, b.Line) }
	slices.SortStableFunc(r.Errors, byLine)
	slices.SortStableFunc(r.Warnings, byLine)
}
