package web

import (
	"net/http"
	"sync"

	"phonetree/internal/auth"
	"phonetree/internal/cascade"
)

func (s *Server) dashboardRoutes() {
	s.mux.HandleFunc("GET /{$}", s.page(auth.Read, s.incidentsPage))
	s.mux.HandleFunc("GET /bulletins/{id}", s.page(auth.Read, s.bulletinPage))
	s.mux.HandleFunc("GET /bulletins/{id}/tree/{person}", s.page(auth.Read, s.treeFragment))
	s.mux.HandleFunc("GET /bulletins/{id}/live", s.page(auth.Read, s.live))
	s.mux.HandleFunc("POST /bulletins/{id}/cancel", s.page(auth.Send, s.cancelForm))
	s.mux.HandleFunc("POST /bulletins/{id}/call-tasks", s.page(auth.WorkCalls, s.openTaskForm))
	s.mux.HandleFunc("POST /bulletins/{id}/call-tasks/{task}/done", s.page(auth.WorkCalls, s.taskDoneForm))
	s.mux.HandleFunc("GET /tasks", s.page(auth.Read, s.tasksPage))
	s.mux.HandleFunc("GET /send", s.page(auth.Send, s.sendPage))
	s.mux.HandleFunc("POST /send", s.page(auth.Send, s.sendForm))
}

var liveOnce sync.Once

// closeLive ends the live views' event streams (at shutdown).
func (s *Server) closeLive() { liveOnce.Do(func() { close(s.closing) }) }

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request, p *principal) {
	bs, err := s.cfg.Store.Bulletins(r.Context())
	if err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "Could not read the bulletins; see the server log.")
		return
	}
	s.renderFor(w, p, http.StatusOK, "incidents", "Incidents", incidents(bs))
}

// node is one person in the tree view.
type node struct {
	Idx             int32
	ID, Name, State string
	Callees         bool
	Size, Acked     int32
	Open            bool
	Lazy            string // where to fetch the callees from, when not rendered
	Children        []node
}

const maxChildren = 500

// nodes renders people is with their callees down to depth more levels.
func (sn *snapshot) nodes(is []int32, depth int) []node {
	var out []node
	for k, i := range is {
		if k == maxChildren {
			break
		}
		p := sn.v.person(i)
		c := sn.sub[i]
		n := node{Idx: i, ID: p.ID, Name: p.Name, State: sn.state(i).String(), Size: c.size(), Acked: c[cascade.Acked]}
		kids := sn.v.callees(i)
		n.Callees = len(kids) > 0
		if n.Callees && depth > 0 {
			n.Open, n.Children = true, sn.nodes(kids, depth-1)
		} else if n.Callees {
			n.Lazy = "/bulletins/" + itoa(sn.b.ID) + "/tree/" + p.ID
		}
		out = append(out, n)
	}
	return out
}

type bulletinPageData struct {
	B         bulletinJSON
	Done      bool
	People    int
	Reachable int
	Acked     int32
	Counts    map[string]int
	Curve     string
	Span      string
	Nodes     []node
	Unreached unreachedData
	Tasks     tasksData
	CanSend   bool
}

func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		s.errorPage(w, r, http.StatusNotFound, aerr.Message)
		return
	}
	sn, err := s.snaps.get(r.Context(), id, s.cfg.LivePoll/2)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "No such bulletin.")
		return
	}
	curve, span := sn.curve()
	d := bulletinPageData{B: toBulletinJSON(sn.b), Done: sn.done(), People: len(sn.recs), Reachable: sn.v.nReach,
		Acked: sn.total[cascade.Acked], Counts: sn.total.byState(), Curve: curve, Span: span,
		Nodes: sn.nodes(sn.v.roots(), 1), CanSend: p.Role.Can(auth.Send)}
	csrf := ""
	if p.Session != nil {
		csrf = s.csrfToken(p.Session)
	}
	d.Unreached = sn.unreached(p, csrf)
	d.Tasks = s.tasksData(r, p, csrf, sn.tasks)
	s.renderFor(w, p, http.StatusOK, "bulletin", sn.b.Title, d)
}

// done reports whether every recipient is terminal (or the bulletin stopped).
func (sn *snapshot) done() bool {
	if sn.b.State != "running" {
		return true
	}
	return int(sn.total[cascade.Acked]+sn.total[cascade.Unreached]+sn.total[cascade.Cancelled]) == len(sn.recs)
}

// roots are the audience's roots.
func (v *bulletinView) roots() []int32 {
	var out []int32
	for _, i := range v.order {
		if p := v.Tree.Parent[i]; p < 0 || !v.Member[p] {
			out = append(out, i)
		}
	}
	return out
}

func (s *Server) treeFragment(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		http.Error(w, aerr.Message, http.StatusNotFound)
		return
	}
	sn, err := s.snaps.get(r.Context(), id, s.cfg.LivePoll/2)
	if err != nil {
		http.Error(w, "no such bulletin", http.StatusNotFound)
		return
	}
	i, err := sn.v.personIndex(r.PathValue("person"))
	if err != nil {
		http.Error(w, "no such person in this bulletin", http.StatusNotFound)
		return
	}
	html, err := s.fragment("nodes", sn.nodes(sn.v.callees(i), 0))
	if err != nil {
		s.cfg.Log.Error("tree fragment", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(html))
}

func (s *Server) cancelForm(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		s.errorPage(w, r, http.StatusNotFound, aerr.Message)
		return
	}
	if err := s.cfg.Engine.CancelBy(r.Context(), id, actor(p)); err != nil {
		s.errorPage(w, r, asAPIError(err).Status, "Could not cancel: "+err.Error())
		return
	}
	s.snaps.invalidate(id)
	s.cfg.Log.Info("bulletin cancelled", "bulletin", id, "by", p.User.Name)
	http.Redirect(w, r, "/bulletins/"+itoa(id), http.StatusSeeOther)
}

func (s *Server) openTaskForm(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	if aerr != nil {
		s.errorPage(w, r, http.StatusNotFound, aerr.Message)
		return
	}
	if _, err := s.openCallTask(r.Context(), id, formValue(r, "person"), ""); err != nil {
		s.errorPage(w, r, asAPIError(err).Status, "Could not open a call task: "+asAPIError(err).Message)
		return
	}
	s.cfg.Log.Info("call task opened", "bulletin", id, "person", formValue(r, "person"), "by", p.User.Name)
	http.Redirect(w, r, "/bulletins/"+itoa(id)+"#tasks", http.StatusSeeOther)
}

func (s *Server) taskDoneForm(w http.ResponseWriter, r *http.Request, p *principal) {
	id, aerr := pathID(r, "id")
	var task int64
	if aerr == nil {
		task, aerr = pathID(r, "task")
	}
	if aerr != nil {
		s.errorPage(w, r, http.StatusNotFound, aerr.Message)
		return
	}
	req := taskDoneJSON{Reached: formValue(r, "reached") == "true"}
	if _, err := s.finishCallTask(r.Context(), id, task, req); err != nil {
		s.errorPage(w, r, asAPIError(err).Status, "Could not close the call task: "+asAPIError(err).Message)
		return
	}
	back := safeNext(formValue(r, "back"))
	if back == "/" {
		back = "/bulletins/" + itoa(id)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request, p *principal) {
	ts, err := s.cfg.Store.OpenCallTasks(r.Context(), 1000)
	if err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "Could not read the call tasks; see the server log.")
		return
	}
	csrf := ""
	if p.Session != nil {
		csrf = s.csrfToken(p.Session)
	}
	s.renderFor(w, p, http.StatusOK, "tasks", "Call tasks", s.tasksData(r, p, csrf, ts))
}
