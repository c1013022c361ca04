package roster

import (
	"reflect"
	"strings"
	"testing"
)

const treeCSV = "id,name,manager,caller\n" +
	"E100,Ana Ruiz,,\n" +
	"E101,Ben Ode,E100,\n" +
	"E102,Cy Li,E100,\n" +
	"E103,Di Mo,E101,\n" +
	"E104,Ed Po,E101,E100\n" +
	"E200,Fay Qu,,\n" +
	"E201,,E200,\n"

func TestTree(t *testing.T) {
	r, rep := mustParse(t, treeCSV, Options{})
	if !rep.OK() {
		t.Fatalf("errors: %q", issueStrings(rep.Errors))
	}
	tr := r.Tree()
	want := &Tree{
		Parent:   []int32{-1, 0, 0, 1, 0, -1, 5},
		Children: [][]int32{{1, 2, 4}, {3}, nil, nil, nil, {6}, nil},
		Depth:    []int32{0, 1, 1, 2, 1, 0, 1},
		Roots:    []int32{0, 5},
		Size:     []int32{5, 2, 1, 1, 1, 2, 1},
	}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("got  %+v\nwant %+v", tr, want)
	}
	if r.Tree() != tr {
		t.Error("Tree is computed again")
	}
}

func TestTreeBreaksCycles(t *testing.T) {
	r, rep := mustParse(t, "id,manager\nE1,E3\nE2,E1\nE3,E2\nE4,E3\n", Options{})
	if rep.OK() {
		t.Fatal("want a cycle error")
	}
	tr := r.Tree()
	if !reflect.DeepEqual(tr.Roots, []int32{0}) || !reflect.DeepEqual(tr.Depth, []int32{0, 1, 2, 3}) {
		t.Errorf("roots %v depth %v", tr.Roots, tr.Depth)
	}
}

func TestWriteTree(t *testing.T) {
	r, _ := mustParse(t, treeCSV, Options{})
	tests := []struct {
		root  string
		depth int
		want  string
	}{
		{"", 0, "E100 Ana Ruiz (5)\n  E101 Ben Ode (2)\n    E103 Di Mo (1)\n  E102 Cy Li (1)\n  E104 Ed Po (1)\nE200 Fay Qu (2)\n  E201 (1)\n"},
		{"", 1, "E100 Ana Ruiz (5)\nE200 Fay Qu (2)\n"},
		{"E101", 0, "E101 Ben Ode (2)\n  E103 Di Mo (1)\n"},
		{"E100", 2, "E100 Ana Ruiz (5)\n  E101 Ben Ode (2)\n  E102 Cy Li (1)\n  E104 Ed Po (1)\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := WriteTree(&b, r, tt.root, tt.depth); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("root %q depth %d:\n%s\nwant\n%s", tt.root, tt.depth, b.String(), tt.want)
		}
	}
	if err := WriteTree(&strings.Builder{}, r, "E9", 0); err == nil || !strings.Contains(err.Error(), `unknown id "E9"`) {
		t.Errorf("unknown root: %v", err)
	}
}
