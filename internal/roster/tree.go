package roster

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Tree is the calling tree of a roster, by position in People: every person
// is called by their effective caller (Person.CallerID). A caller that is not
// on the roster makes the person a root, and a cycle (a lint error) is broken
// at its first member in file order, which becomes a root.
type Tree struct {
	Parent   []int32   // each person's caller; -1 for roots
	Children [][]int32 // each person's callees, in file order
	Depth    []int32   // 0 for roots
	Roots    []int32   // in file order
	Size     []int32   // people in each subtree, the person included
}

// Tree returns the calling tree, computed on first use.
func (r *Roster) Tree() *Tree {
	r.treeOnce.Do(func() {
		if r.tree == nil {
			parent := r.parents()
			cycles, _ := findCycles(parent)
			r.tree = buildTree(parent, cycles)
		}
	})
	return r.tree
}

// parents returns each person's effective caller, -1 when none or unknown.
func (r *Roster) parents() []int32 {
	parent := make([]int32, len(r.People))
	for i := range r.People {
		parent[i] = -1
		if id := r.People[i].CallerID(); id != "" {
			if j, ok := r.Index(id); ok {
				parent[i] = int32(j)
			}
		}
	}
	return parent
}

// findCycles finds the cycles of the caller graph. Everyone has at most one
// caller, so each connected part holds at most one cycle. Each cycle starts
// at its first member in file order. into gives, for every person, the cycle
// their chain of callers runs into, or -1.
func findCycles(parent []int32) (cycles [][]int32, into []int32) {
	const unseen, onPath = -2, -3
	into = make([]int32, len(parent))
	for i := range into {
		into[i] = unseen
	}
	var path []int32
	for i := range parent {
		if into[i] != unseen {
			continue
		}
		path = path[:0]
		j := int32(i)
		for j >= 0 && into[j] == unseen {
			into[j] = onPath
			path = append(path, j)
			j = parent[j]
		}
		res := int32(-1)
		switch {
		case j >= 0 && into[j] == onPath:
			cyc := path[slices.Index(path, j):]
			first := slices.Index(cyc, slices.Min(cyc))
			cyc = slices.Concat(cyc[first:], cyc[:first])
			res = int32(len(cycles))
			cycles = append(cycles, cyc)
		case j >= 0:
			res = into[j]
		}
		for _, v := range path {
			into[v] = res
		}
	}
	return cycles, into
}

// buildTree builds the tree from parent, breaking each cycle at its first
// member. It takes ownership of parent.
func buildTree(parent []int32, cycles [][]int32) *Tree {
	for _, c := range cycles {
		parent[c[0]] = -1
	}
	n := len(parent)
	t := &Tree{Parent: parent, Children: make([][]int32, n), Depth: make([]int32, n), Size: make([]int32, n)}
	counts := make([]int32, n)
	for i, p := range parent {
		if p >= 0 {
			counts[p]++
		} else {
			t.Roots = append(t.Roots, int32(i))
		}
	}
	backing := make([]int32, n-len(t.Roots))
	off := int32(0)
	for i, c := range counts {
		if c > 0 {
			t.Children[i] = backing[off : off : off+c]
			off += c
		}
	}
	for i, p := range parent {
		if p >= 0 {
			t.Children[p] = append(t.Children[p], int32(i))
		}
	}
	order := append(make([]int32, 0, n), t.Roots...)
	for k := 0; k < len(order); k++ {
		v := order[k]
		for _, c := range t.Children[v] {
			t.Depth[c] = t.Depth[v] + 1
			order = append(order, c)
		}
	}
	for k := len(order) - 1; k >= 0; k-- {
		v := order[k]
		t.Size[v]++
		if p := parent[v]; p >= 0 {
			t.Size[p] += t.Size[v]
		}
	}
	return t
}

// WriteTree writes the calling tree, two spaces of indent per level, one
// person a line with the number of people in their branch:
//
//	E100 Ana Ruiz (412)
//	  E101 Ben Ode (37)
//
// root "" writes every root's tree, else only the tree below root; depth
// limits the levels written, 0 meaning all.
func WriteTree(w io.Writer, r *Roster, root string, depth int) error {
	t := r.Tree()
	starts := t.Roots
	if root != "" {
		i, ok := r.Index(root)
		if !ok {
			return fmt.Errorf("roster: tree: unknown id %q", root)
		}
		starts = []int32{int32(i)}
	}
	type item struct{ v, level int32 }
	var stack []item
	for _, v := range slices.Backward(starts) {
		stack = append(stack, item{v, 0})
	}
	bw := bufio.NewWriter(w)
	var line []byte
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := &r.People[it.v]
		line = line[:0]
		for range it.level {
			line = append(line, ' ', ' ')
		}
		line = append(line, p.ID...)
		if p.Name != "" {
			line = append(append(line, ' '), p.Name...)
		}
		line = append(line, " ("...)
		line = strconv.AppendInt(line, int64(t.Size[it.v]), 10)
		line = append(line, ")\n"...)
		bw.Write(line)
		if depth == 0 || int(it.level)+1 < depth {
			for _, c := range slices.Backward(t.Children[it.v]) {
				stack = append(stack, item{c, it.level + 1})
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("roster: tree: %w", err)
	}
	return nil
}
