package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"phonetree/internal/audit"
	"phonetree/internal/store"
)

// NeedsApproval is returned by Send for an Actual bulletin to more people
// than the two-person rule allows one operator to reach alone: the bulletin
// waits as Request until a second operator approves it.
type NeedsApproval struct {
	Request    int64
	Recipients int
	Threshold  int
}

func (n *NeedsApproval) Error() string {
	return fmt.Sprintf("an actual bulletin to %d people (more than %d) needs a second operator's approval: request %d is waiting",
		n.Recipients, n.Threshold, n.Request)
}

// ErrSelfApproval is returned when the requester tries to approve their own bulletin.
var ErrSelfApproval = errors.New("two-person rule: you cannot approve your own bulletin")

// ErrDecided is returned when a request was already approved.
var ErrDecided = errors.New("this request was already decided")

// needsApproval reports whether in, to n people, must wait for approval.
func (e *Engine) needsApproval(in Bulletin, n int) bool {
	t := e.cfg.ApprovalThreshold
	return t > 0 && in.Status == "actual" && n > t && in.ApprovedBy == "" && in.BreakGlass == ""
}

// hold stores in as a request awaiting approval.
func (e *Engine) hold(ctx context.Context, in Bulletin, n int) error {
	ap, ok := e.cfg.Store.(store.Approvals)
	if !ok {
		return errors.New("two-person rule: this database backend cannot hold bulletins for approval; an admin may use break-glass")
	}
	body, _ := json.Marshal(in)
	now := e.cfg.Clock.Now().UnixNano()
	r := &store.SendRequest{CreatedAt: now, Requester: orDefault(in.Actor, "unknown"), Request: string(body), Recipients: n, State: "awaiting approval"}
	if err := ap.AddSendRequest(ctx, r); err != nil {
		return err
	}
	entry := audit.Entry{At: now, Actor: r.Requester, Action: "request approval", Subject: fmt.Sprintf("request %d", r.ID),
		Detail: fmt.Sprintf("actual %s to %d people: %q", in.Kind, n, in.Title)}
	if err := e.cfg.Store.Apply(ctx, &store.Batch{Audit: []audit.Entry{entry}}); err != nil {
		return err
	}
	return &NeedsApproval{Request: r.ID, Recipients: n, Threshold: e.cfg.ApprovalThreshold}
}

// Approve sends request id on approver's approval; the requester cannot
// approve their own. It is decided once, whoever comes first.
func (e *Engine) Approve(ctx context.Context, id int64, approver string) (*store.Bulletin, error) {
	ap, ok := e.cfg.Store.(store.Approvals)
	if !ok {
		return nil, errors.New("this database backend holds no approvals")
	}
	r, err := ap.SendRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Requester == approver {
		return nil, ErrSelfApproval
	}
	var in Bulletin
	if err := json.Unmarshal([]byte(r.Request), &in); err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	now := e.cfg.Clock.Now().UnixNano()
	if won, err := ap.DecideSendRequest(ctx, id, "awaiting approval", "approving", approver, now, 0); err != nil {
		return nil, err
	} else if !won {
		return nil, ErrDecided
	}
	in.ApprovedBy = approver
	b, err := e.Send(ctx, in)
	if err != nil {
		ap.DecideSendRequest(ctx, id, "approving", "failed", approver, now, 0)
		return nil, err
	}
	if _, err := ap.DecideSendRequest(ctx, id, "approving", "approved", approver, now, b.ID); err != nil {
		return nil, err
	}
	return b, nil
}

// SendRequests lists bulletins held for approval and their outcomes.
func (e *Engine) SendRequests(ctx context.Context) ([]store.SendRequest, error) {
	ap, ok := e.cfg.Store.(store.Approvals)
	if !ok {
		return nil, nil
	}
	return ap.SendRequests(ctx)
}
