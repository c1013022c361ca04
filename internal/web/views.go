package web

import (
	"context"
	"fmt"

	"phonetree/internal/engine"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// bulletinView is a bulletin's frozen roster with what pages derive from it
// once: the audience in tree order, who is reachable, the top branches.
type bulletinView struct {
	*engine.View
	order     []int32 // audience members, each before its callees
	pos       []int32 // person index -> position in order (a branch is order[pos:pos+size])
	reachable []bool  // with at least one contact method
	nReach    int
	branches  []int32 // the top branches: the single root's callees, else the roots
}

// view returns bulletin id's view, cached: a bulletin's roster never changes.
func (s *Server) view(ctx context.Context, id int64) (*bulletinView, error) {
	if v, ok := s.views.Load(id); ok {
		return v.(*bulletinView), nil
	}
	s.viewMu.Lock() // one computes a view while the others wait for it
	defer s.viewMu.Unlock()
	if v, ok := s.views.Load(id); ok {
		return v.(*bulletinView), nil
	}
	ev, err := s.cfg.Engine.View(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &bulletinView{View: ev, reachable: make([]bool, len(ev.Roster.People))}
	var roots []int32
	for i := range ev.Roster.People {
		if !ev.Member[i] {
			continue
		}
		if len(ev.Roster.People[i].Contacts(engine.DefaultOrder)) > 0 {
			v.reachable[i] = true
			v.nReach++
		}
		if p := ev.Tree.Parent[i]; p < 0 || !ev.Member[p] {
			roots = append(roots, int32(i))
		}
	}
	stack := make([]int32, 0, len(roots))
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, roots[i])
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		v.order = append(v.order, i)
		kids := v.callees(i)
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
	v.pos = make([]int32, len(ev.Roster.People))
	for k, i := range v.order {
		v.pos[i] = int32(k)
	}
	v.branches = roots
	if len(roots) == 1 {
		v.branches = v.callees(roots[0])
	}
	s.views.Store(id, v)
	return v, nil
}

// callees are person i's callees within the audience.
func (v *bulletinView) callees(i int32) []int32 {
	var out []int32
	for _, c := range v.Tree.Children[i] {
		if v.Member[c] {
			out = append(out, c)
		}
	}
	return out
}

func (v *bulletinView) person(i int32) *roster.Person { return &v.Roster.People[i] }

// personIndex finds a person of the audience by id.
func (v *bulletinView) personIndex(id string) (int32, error) {
	i, ok := v.Roster.Index(id)
	if !ok || !v.Member[i] {
		return 0, errInvalid("person", "person %q is not in bulletin %d's audience", id, v.Bulletin.ID)
	}
	return int32(i), nil
}

// callerName is who calls person i, for the unreached list.
func (v *bulletinView) callerName(i int32) string {
	c := v.EscalateTo(i)
	if c < 0 {
		return "operators"
	}
	p := v.person(c)
	return fmt.Sprintf("%s %s", p.Name, p.ID)
}

// responseText names response option n (1-based; 0 for none).
func (v *bulletinView) responseText(n int) string {
	if n >= 1 && n <= len(v.Spec.Responses) {
		return v.Spec.Responses[n-1]
	}
	return "reached"
}

// recipient reads one recipient's current state.
func (s *Server) recipient(ctx context.Context, bulletin int64, idx int32) (*store.Recipient, error) {
	rs, err := s.cfg.Store.ReadRecipients(ctx, bulletin, []int32{idx})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("bulletin %d recipient %d: %w", bulletin, idx, store.ErrNotFound)
	}
	return &rs[0], nil
}
