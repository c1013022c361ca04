package web

import (
	"net/http"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
)

type branchJSON struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	People   int32          `json:"people"`
	Acked    int32          `json:"acked"`
	ByState  map[string]int `json:"by_state"`
	AckedPct float64        `json:"acked_pct"`
}

type statusJSON struct {
	*engine.Status
	Branch   string       `json:"branch,omitempty"`
	ByBranch []branchJSON `json:"by_branch"`
}

// apiStatus is a bulletin's progress: counts by state, times to 50/90/99%
// acked, attempts by channel, and counts by branch (the top branches, or
// ?branch=ID's callees).
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	st, err := s.cfg.Engine.Status(r.Context(), id)
	if err != nil {
		writeError(w, err)
		return
	}
	sn, err := s.snaps.get(r.Context(), id, time.Second)
	if err != nil {
		writeError(w, err)
		return
	}
	out := statusJSON{Status: st, ByBranch: []branchJSON{}}
	branches := sn.v.branches
	if b := r.URL.Query().Get("branch"); b != "" {
		i, err := sn.v.personIndex(b)
		if err != nil {
			writeError(w, asAPIError(err))
			return
		}
		out.Branch, branches = b, sn.v.callees(i)
	}
	for _, i := range branches {
		out.ByBranch = append(out.ByBranch, sn.branch(i))
	}
	writeJSON(w, http.StatusOK, out)
}

func (sn *snapshot) branch(i int32) branchJSON {
	c := sn.sub[i]
	p := sn.v.person(i)
	b := branchJSON{ID: p.ID, Name: p.Name, People: c.size(), Acked: c[cascade.Acked], ByState: c.byState()}
	if b.People > 0 {
		b.AckedPct = float64(int(1000*float64(b.Acked)/float64(b.People)+0.5)) / 10
	}
	return b
}
