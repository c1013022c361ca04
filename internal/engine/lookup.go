package engine

import (
	"context"

	"phonetree/internal/cascade"
	"phonetree/internal/roster"
	"phonetree/internal/store"
)

// Inbound messages and calls are matched to people by number through an
// index built in memory from the decrypted roster: the database holds no
// number to search, so a stolen copy reveals none.

// phoneIndex returns the run's index from E.164 number to people.
func (r *run) phoneIndex() map[string][]int32 {
	if r.phones == nil {
		r.phones = map[string][]int32{}
		for i := range r.roster.People {
			if !r.member[i] {
				continue
			}
			p := &r.roster.People[i]
			for _, n := range []string{p.Mobile, p.Voice} {
				if n != "" {
					r.phones[n] = append(r.phones[n], int32(i))
				}
			}
		}
	}
	return r.phones
}

// Reply is what an inbound SMS from a number can answer.
type Reply struct {
	AttemptID int64
	Responses int // the bulletin's number of response options
}

// LatestReplyTarget finds the latest SMS attempt handed to phone whose
// recipient is still being contacted, newest bulletin first.
func (e *Engine) LatestReplyTarget(ctx context.Context, phone string) (Reply, bool, error) {
	bs, err := e.cfg.Store.Bulletins(ctx)
	if err != nil {
		return Reply{}, false, err
	}
	for _, b := range bs {
		if b.State != "running" {
			continue
		}
		e.mu.Lock()
		rn, err := e.loadRun(ctx, b.ID)
		var idxs []int32
		if err == nil {
			idxs = rn.phoneIndex()[phone]
		}
		e.mu.Unlock()
		if err != nil {
			return Reply{}, false, err
		}
		if len(idxs) == 0 {
			continue
		}
		rs, err := e.cfg.Store.Recipients(ctx, b.ID, idxs)
		if err != nil {
			return Reply{}, false, err
		}
		for _, r := range rs {
			st := cascade.State(r.State)
			if st != cascade.Contacting && st != cascade.Waiting {
				continue
			}
			plan := rn.plan(r.Idx)
			for seq := int(r.Attempts) - 1; seq >= 0; seq-- {
				if plan[seq] == string(roster.SMS) {
					return Reply{AttemptID: store.AttemptID(b.ID, r.Idx, seq), Responses: len(rn.spec.Responses)}, true, nil
				}
			}
		}
	}
	return Reply{}, false, nil
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
func (e *Engine) LatestFor(ctx context.Context, phone string) (HotlineEntry, bool, error) {
	bs, err := e.cfg.Store.Bulletins(ctx)
	if err != nil {
		return HotlineEntry{}, false, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range bs {
		rn, err := e.loadRun(ctx, b.ID)
		if err != nil {
			return HotlineEntry{}, false, err
		}
		if idxs := rn.phoneIndex()[phone]; len(idxs) > 0 {
			p := &rn.roster.People[idxs[0]]
			script := rn.spec.Script
			if script == "" {
				script = rn.text(p)
			}
			return HotlineEntry{Text: rn.text(p), Script: script, PIN: p.PIN, Language: p.Language}, true, nil
		}
	}
	return HotlineEntry{}, false, nil
}
