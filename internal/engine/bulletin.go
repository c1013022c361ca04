package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"phonetree/internal/audit"
	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

// Bulletin is what an operator sends.
type Bulletin struct {
	Incident int64  // 0 starts a new incident
	Kind     string // alert (default), update, cancel
	Status   string // actual (default) or exercise
	Title    string
	Body     string
	Spec     Spec
	Actor    string // who sent it, for the audit log ("cli:alice", "user:3")
	// ApprovedBy is the second operator who approved it (two-person rule).
	ApprovedBy string `json:",omitempty"`
	// BreakGlass, when set, is an admin's reason for sending without approval.
	BreakGlass string `json:",omitempty"`
}

// Send freezes the current roster version, creates the bulletin's recipients
// and releases them as the mode says. A cancel bulletin first stops the
// incident's running bulletins.
func (e *Engine) Send(ctx context.Context, in Bulletin) (*store.Bulletin, error) {
	if in.Title == "" {
		return nil, errors.New("title: required")
	}
	in.Kind, in.Status = orDefault(in.Kind, "alert"), orDefault(in.Status, "actual")
	if in.Status != "actual" && in.Status != "exercise" {
		return nil, fmt.Errorf("status: %q is not actual or exercise", in.Status)
	}
	if len(in.Spec.Responses) == 0 {
		in.Spec.Responses = []string{"Safe", "Need help"}
	}
	if in.Kind == "cancel" && in.Incident != 0 {
		if err := e.CancelIncident(ctx, in.Incident); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.land(); err != nil {
		return nil, err
	}
	v, err := e.cfg.Store.RosterVersion(ctx, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoRoster
	} else if err != nil {
		return nil, err
	}
	r, err := e.loadRoster(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	tree := r.Tree()
	member, err := audience(r, tree, in.Spec.Audience)
	if err != nil {
		return nil, err
	}
	spec, _ := json.Marshal(in.Spec)
	now := e.cfg.Clock.Now()
	b := &store.Bulletin{Incident: in.Incident, Kind: in.Kind, Status: in.Status, Title: in.Title, Body: in.Body,
		Mode: in.Spec.Policy.Mode.String(), Policy: string(spec), RosterVersion: v.ID, CreatedAt: now.UnixNano(), State: "running"}
	rs := initialRecipients(in.Spec.Policy.Mode, tree.Parent, tree.Depth, member, now)
	if e.needsApproval(in, len(rs)) {
		return nil, e.hold(ctx, in, len(rs))
	}
	if err := e.cfg.Store.CreateBulletin(ctx, b, rs); err != nil {
		return nil, err
	}
	if e.sched != nil {
		for _, r := range rs {
			e.sched.set(rkey(b.ID, r.Idx), r.NextAt())
		}
	}
	if err := e.signBulletin(ctx, b); err != nil {
		return nil, fmt.Errorf("sign bulletin %d: %w", b.ID, err)
	}
	e.cfg.Log.Info("bulletin sent", "bulletin", b.ID, "mode", b.Mode, "recipients", len(rs))
	entry := audit.Entry{At: now.UnixNano(), Actor: orDefault(in.Actor, "unknown"), Action: "send",
		Subject: fmt.Sprintf("bulletin %d", b.ID), Detail: fmt.Sprintf("%s %s %s to %d people, roster version %d: %q",
			b.Status, b.Kind, b.Mode, len(rs), v.ID, b.Title)}
	switch {
	case in.BreakGlass != "":
		entry.Action = "BREAK-GLASS send"
		entry.Detail += fmt.Sprintf("; two-person rule overridden, reason: %q", in.BreakGlass)
		e.cfg.Log.Warn("BREAK-GLASS: bulletin sent without a second operator's approval", "bulletin", b.ID, "by", entry.Actor, "reason", in.BreakGlass)
	case in.ApprovedBy != "":
		entry.Detail += "; approved by " + in.ApprovedBy
	}
	if err := e.cfg.Store.Apply(ctx, &store.Batch{Audit: []audit.Entry{entry}}); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	e.Wake()
	return b, nil
}

// initialRecipients creates the audience's recipients: everyone released at
// once in broadcast (leaders first: release times a microsecond apart per tree
// level), only the audience's roots otherwise.
func initialRecipients(m cascade.Mode, parent, depth []int32, member []bool, now time.Time) []store.Recipient {
	var rs []store.Recipient
	for i, in := range member {
		if !in {
			continue
		}
		r := store.Recipient{Idx: int32(i), Method: -1}
		root := parent[i] < 0 || !member[parent[i]]
		switch {
		case m == cascade.Broadcast:
			r.MethodAt = now.Add(time.Duration(depth[i]) * time.Microsecond).UnixNano()
		case root:
			r.MethodAt = now.UnixNano()
		}
		rs = append(rs, r)
	}
	return rs
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// CancelIncident stops every running bulletin of an incident.
func (e *Engine) CancelIncident(ctx context.Context, incident int64) error {
	bs, err := e.cfg.Store.Bulletins(ctx)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Incident == incident && b.State == "running" {
			if err := e.CancelBy(ctx, b.ID, "all-clear"); err != nil {
				return err
			}
		}
	}
	return nil
}

// Cancel stops a bulletin: every recipient not yet terminal is cancelled and
// their attempts not yet handed over are withdrawn.
func (e *Engine) Cancel(ctx context.Context, id int64) error {
	return e.CancelBy(ctx, id, "unknown")
}

// CancelBy is Cancel with the actor named in the audit log.
func (e *Engine) CancelBy(ctx context.Context, id int64, actor string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.newWork(ctx)
	if err != nil {
		return err
	}
	rn, err := e.loadRun(ctx, id)
	if err != nil {
		return err
	}
	rs, err := e.cfg.Store.AllRecipients(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if !cascade.State(r.State).Terminal() {
			w.apply(rn, r, cascade.Event{Kind: cascade.Cancel})
		}
	}
	w.batch.Bulletins = append(w.batch.Bulletins, store.BulletinState{ID: id, State: "cancelled"})
	w.batch.Audit = append(w.batch.Audit, audit.Entry{At: w.now.UnixNano(), Actor: actor, Action: "cancel", Subject: fmt.Sprintf("bulletin %d", id)})
	return w.commit()
}
