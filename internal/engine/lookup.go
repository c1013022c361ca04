package engine

import (
	"context"
	"errors"
	"fmt"

	"phonetree/internal/cascade"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// Inbound messages and calls are matched to people by number through the
// store's blind index: keyed HMACs of the numbers, so the database holds no
// number to search and a stolen copy reveals none.

// people are the people with a number, by roster version.
type people map[int64][]int32

// findPeople looks phone up in the blind index under every key of the ring
// (a rotation may be rebuilding it), and once more if the key file changed.
func (e *Engine) findPeople(ctx context.Context, phone string) (people, error) {
	ci, ok := e.cfg.Store.(store.ContactIndex)
	if !ok {
		return nil, errors.New("inbound lookup: this database keeps no blind index")
	}
	cs, err := ci.Contacts(ctx, e.cfg.Key.Indexes(phone))
	if err == nil && len(cs) == 0 && e.cfg.Key.Refresh() {
		cs, err = ci.Contacts(ctx, e.cfg.Key.Indexes(phone))
	}
	if err != nil {
		return nil, fmt.Errorf("inbound lookup: %w", err)
	}
	found := people{}
	for _, c := range cs {
		found[c.Version] = append(found[c.Version], c.Idx)
	}
	return found, nil
}

// in is who of the found people are in the run's audience.
func (r *run) in(found people) []int32 {
	var idxs []int32
	for _, i := range found[r.b.RosterVersion] {
		if int(i) < len(r.member) && r.member[i] && (len(idxs) == 0 || idxs[len(idxs)-1] != i) {
			idxs = append(idxs, i)
		}
	}
	return idxs
}

// Reply is what an inbound SMS from a number can answer.
type Reply struct {
	AttemptID int64
	Responses int // the bulletin's number of response options
}

// eachRunOf calls fn, newest bulletin first, for each bulletin (running
// ones only, if running) whose audience holds people with this number,
// with those people, until fn reports it is done.
func (e *Engine) eachRunOf(ctx context.Context, phone string, running bool, fn func(rn *run, idxs []int32) (bool, error)) error {
	bs, err := e.cfg.Store.Bulletins(ctx)
	if err != nil {
		return err
	}
	found, err := e.findPeople(ctx, phone)
	if err != nil || len(found) == 0 {
		return err
	}
	for _, b := range bs {
		if (running && b.State != "running") || len(found[b.RosterVersion]) == 0 {
			continue
		}
		e.mu.Lock()
		rn, err := e.loadRun(ctx, b.ID)
		e.mu.Unlock()
		if err != nil {
			return err
		}
		if idxs := rn.in(found); len(idxs) > 0 {
			if done, err := fn(rn, idxs); done || err != nil {
				return err
			}
		}
	}
	return nil
}

// LatestReplyTarget finds the latest SMS attempt handed to phone whose
// recipient is still being contacted, newest bulletin first.
func (e *Engine) LatestReplyTarget(ctx context.Context, phone string) (reply Reply, ok bool, err error) {
	err = e.eachRunOf(ctx, phone, true, func(rn *run, idxs []int32) (bool, error) {
		rs, err := e.cfg.Store.Recipients(ctx, rn.b.ID, idxs)
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if st := cascade.State(r.State); st != cascade.Contacting && st != cascade.Waiting {
				continue
			}
			plan := rn.plan(r.Idx)
			for seq := int(r.Attempts) - 1; seq >= 0; seq-- {
				if plan[seq] == string(roster.SMS) {
					reply, ok = Reply{AttemptID: store.AttemptID(rn.b.ID, r.Idx, seq), Responses: len(rn.spec.Responses)}, true
					return true, nil
				}
			}
		}
		return false, nil
	})
	return reply, ok, err
}

// CallList is a relay caller's list as their SMS reply marks it: the
// callees in the order the list numbered them.
type CallList struct {
	Bulletin int64
	Callees  []int32
}

// LatestCallList finds the call list most recently handed to the person
// with this number, in a running bulletin, newest bulletin first.
func (e *Engine) LatestCallList(ctx context.Context, phone string) (cl CallList, ok bool, err error) {
	err = e.eachRunOf(ctx, phone, true, func(rn *run, idxs []int32) (bool, error) {
		ids := make([]int64, len(idxs))
		for i, idx := range idxs {
			ids[i] = store.AttemptID(rn.b.ID, idx, store.CallListSeq)
		}
		as, err := e.cfg.Store.Attempts(ctx, ids)
		if err != nil {
			return false, err
		}
		for _, a := range as {
			if a.Status != store.AttemptSent && a.Status != store.AttemptDelivered {
				continue // not handed over (or failed): the caller has no list to mark
			}
			cl, ok = CallList{Bulletin: rn.b.ID}, true
			for _, c := range rn.callList(a.Idx) {
				cl.Callees = append(cl.Callees, c.Recipient)
			}
			return true, nil
		}
		return false, nil
	})
	return cl, ok, err
}

// HotlineEntry is the latest bulletin meant for a caller, worded for them.
type HotlineEntry struct {
	Text     string // the SMS wording, with their anti-phishing word
	Script   string // read aloud
	PIN      string
	Language string
}

// LatestFor finds the latest bulletin whose audience includes the person
// with this number.
func (e *Engine) LatestFor(ctx context.Context, phone string) (h HotlineEntry, ok bool, err error) {
	err = e.eachRunOf(ctx, phone, false, func(rn *run, idxs []int32) (bool, error) {
		p := &rn.roster.People[idxs[0]]
		script := rn.spec.Script
		if script == "" {
			script = rn.text(p)
		}
		h, ok = HotlineEntry{Text: rn.text(p), Script: script, PIN: p.PIN, Language: p.Language}, true
		return true, nil
	})
	return h, ok, err
}
