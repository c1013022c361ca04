package postgres

import "phonetree/internal/store"

// The functions here turn rows into columns: one array parameter per column,
// in the order of the statements in apply.go.

func recipientArgs(rs []store.Recipient) []any {
	n := len(rs)
	bulletin, idx := make([]int64, n), make([]int32, n)
	state, method, attempts, flags, response := make([]int16, n), make([]int16, n), make([]int16, n), make([]int16, n), make([]int16, n)
	methodAt, healAt, ackedAt, next := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i := range rs {
		r := &rs[i]
		bulletin[i], idx[i] = r.Bulletin, r.Idx
		state[i], method[i], attempts[i], flags[i], response[i] = int16(r.State), int16(r.Method), r.Attempts, int16(r.Flags), int16(r.Response)
		methodAt[i], healAt[i], ackedAt[i], next[i] = r.MethodAt, r.HealAt, r.AckedAt, r.NextAt()
	}
	return []any{bulletin, idx, state, method, attempts, flags, methodAt, healAt, ackedAt, response, next}
}

func attemptArgs(as []store.Attempt) []any {
	n := len(as)
	id, bulletin, idx := make([]int64, n), make([]int64, n), make([]int32, n)
	seq, kind, status := make([]int16, n), make([]int16, n), make([]int16, n)
	method, providerID, errs := make([]string, n), make([]string, n), make([]string, n)
	dueAt, leaseUntil, createdAt, updatedAt := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i := range as {
		a := &as[i]
		id[i], bulletin[i], idx[i] = a.ID, a.Bulletin, a.Idx
		seq[i], kind[i], status[i] = a.Seq, int16(a.Kind), int16(a.Status)
		method[i], providerID[i], errs[i] = a.Method, a.ProviderID, a.Error
		dueAt[i], leaseUntil[i], createdAt[i], updatedAt[i] = a.DueAt, a.LeaseUntil, a.CreatedAt, a.UpdatedAt
	}
	return []any{id, bulletin, idx, seq, kind, method, status, dueAt, leaseUntil, providerID, createdAt, updatedAt, errs}
}

func updateArgs(us []store.AttemptUpdate) []any {
	n := len(us)
	id, status := make([]int64, n), make([]int16, n)
	providerID, errs := make([]string, n), make([]string, n)
	leaseUntil, at, dueAt := make([]int64, n), make([]int64, n), make([]int64, n)
	for i := range us {
		u := &us[i]
		id[i], status[i], providerID[i], errs[i] = u.ID, int16(u.Status), u.ProviderID, u.Error
		leaseUntil[i], at[i], dueAt[i] = u.LeaseUntil, u.At, u.DueAt
	}
	return []any{id, status, providerID, leaseUntil, at, errs, dueAt}
}

func eventArgs(es []store.Event) []any {
	n := len(es)
	bulletin, idx, at, attempt := make([]int64, n), make([]int32, n), make([]int64, n), make([]int64, n)
	kind, detail := make([]string, n), make([]string, n)
	for i := range es {
		e := &es[i]
		bulletin[i], idx[i], at[i], attempt[i], kind[i], detail[i] = e.Bulletin, e.Idx, e.At, e.Attempt, e.Kind, e.Detail
	}
	return []any{bulletin, idx, at, kind, attempt, detail}
}

func callTaskArgs(ts []store.CallTask) []any {
	n := len(ts)
	bulletin, assignee, subject, createdAt := make([]int64, n), make([]int32, n), make([]int32, n), make([]int64, n)
	state := make([]string, n)
	for i := range ts {
		t := &ts[i]
		bulletin[i], assignee[i], subject[i], createdAt[i], state[i] = t.Bulletin, t.Assignee, t.Subject, t.CreatedAt, t.State
	}
	return []any{bulletin, assignee, subject, createdAt, state}
}
