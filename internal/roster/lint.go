package roster

import (
	"strings"
)

// lint checks the roster as a whole: references, cycles, reach, fan-out,
// depth and shared numbers. Problems within one row are found by the parser;
// skipped holds the ids of rows it could not read, which are not reported
// again as unknown.
func lint(r *Roster, rep *Report, opt Options, skipped map[string]bool) {
	var contacts Report
	done := make(chan struct{})
	go func() {
		defer close(done)
		checkContacts(r, &contacts)
	}()
	parent := checkRefs(r, rep, skipped)
	cycles, into := findCycles(parent)
	reportCycles(r, rep, cycles, into)
	t := buildTree(parent, cycles)
	r.treeOnce.Do(func() { r.tree = t })
	checkShape(r, rep, t, opt)
	<-done
	rep.Warnings = append(rep.Warnings, contacts.Warnings...)
}

// checkRefs reports references to unknown ids and returns each person's
// effective caller, as Roster.parents does.
func checkRefs(r *Roster, rep *Report, skipped map[string]bool) []int32 {
	check := func(i int, field, id string) int32 {
		if id == "" {
			return -1
		}
		j, ok := r.Index(id)
		if !ok && !skipped[id] {
			rep.errorf(r.line(i), r.People[i].ID, field, "unknown id %q", id)
		}
		if !ok {
			return -1
		}
		return int32(j)
	}
	parent := make([]int32, len(r.People))
	for i := range r.People {
		p := &r.People[i]
		parent[i] = check(i, "manager", p.Manager)
		if p.Caller != "" {
			parent[i] = check(i, "caller", p.Caller)
		}
		for _, b := range p.Backups {
			check(i, "backups", b)
		}
	}
	return parent
}

// callerField names the column that gave person i their caller.
func callerField(p *Person) string {
	if p.Caller != "" {
		return "caller"
	}
	return "manager"
}

const cycleShown = 20

func reportCycles(r *Roster, rep *Report, cycles [][]int32, into []int32) {
	if len(cycles) == 0 {
		return
	}
	member := map[int32]bool{}
	for _, c := range cycles {
		var b strings.Builder
		b.WriteString("cycle ")
		for k, v := range c {
			if k == cycleShown {
				b.WriteString("… ")
				break
			}
			b.WriteString(r.People[v].ID + " -> ")
		}
		b.WriteString(r.People[c[0]].ID)
		if len(c) > cycleShown {
			b.WriteString(" (" + plural(len(c), "person") + ")")
		}
		first := &r.People[c[0]]
		rep.errorf(r.line(int(c[0])), first.ID, callerField(first), "%s", b.String())
	}
	for _, c := range cycles {
		for _, v := range c {
			member[v] = true
		}
	}
	for i, k := range into {
		if k >= 0 && !member[int32(i)] {
			p := &r.People[i]
			rep.warnf(r.line(i), p.ID, callerField(p),
				"unreachable from any root: their callers lead into the cycle through %s", r.People[cycles[k][0]].ID)
		}
	}
}

func checkShape(r *Roster, rep *Report, t *Tree, opt Options) {
	for i := range r.People {
		id := r.People[i].ID
		if n := len(t.Children[i]); n > opt.FanOutLimit {
			rep.warnf(r.line(i), id, "fan-out", "%s calls %d people (limit %d)", id, n, opt.FanOutLimit)
		}
		if int(t.Depth[i]) == opt.DepthLimit+1 {
			root := int32(i)
			for t.Parent[root] >= 0 {
				root = t.Parent[root]
			}
			rep.warnf(r.line(i), id, "depth", "%s is %d levels below root %s (limit %d), with %d in their branch",
				id, t.Depth[i], r.People[root].ID, opt.DepthLimit, t.Size[i])
		}
	}
}

func checkContacts(r *Roster, rep *Report) {
	seen := make(map[string]int32, len(r.People))
	shared := func(i int, field, num string) {
		if num == "" {
			return
		}
		first, ok := seen[num]
		if !ok {
			seen[num] = int32(i)
			return
		}
		if int(first) != i {
			rep.warnf(r.line(i), r.People[i].ID, field, "%s is also the number of %s (line %d)",
				num, r.People[first].ID, r.line(int(first)))
		}
	}
	for i := range r.People {
		p := &r.People[i]
		if !p.reachable() {
			rep.warnf(r.line(i), p.ID, "contact", "no usable contact method (mobile, voice or email)")
		}
		shared(i, "mobile", p.Mobile)
		shared(i, "voice", p.Voice)
	}
}
