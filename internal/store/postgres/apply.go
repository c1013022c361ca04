package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"phonetree/internal/store"
)

// Each kind of change is one statement over array parameters, whatever the
// batch's size: unnest turns the arrays back into rows.
const (
	upsertRecipientsSQL = `INSERT INTO recipients (bulletin, idx, state, method, attempts, flags, method_at, heal_at, acked_at, response, next_at)
		SELECT b, i, s, m, a, f, ma, ha, aa, r, NULLIF(n, 0)
		FROM unnest($1::bigint[], $2::integer[], $3::smallint[], $4::smallint[], $5::smallint[], $6::smallint[],
			$7::bigint[], $8::bigint[], $9::bigint[], $10::smallint[], $11::bigint[]) AS v(b, i, s, m, a, f, ma, ha, aa, r, n)
		ON CONFLICT (bulletin, idx) DO UPDATE SET state = excluded.state, method = excluded.method,
			attempts = excluded.attempts, flags = excluded.flags, method_at = excluded.method_at, heal_at = excluded.heal_at,
			acked_at = excluded.acked_at, response = excluded.response, next_at = excluded.next_at`
	// queued_at is due_at while an attempt is queued (see the schema).
	insertAttemptsSQL = `INSERT INTO attempts (` + attemptCols + `, queued_at)
		SELECT *, CASE WHEN v.status = 0 THEN v.due_at END
		FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::smallint[], $5::smallint[], $6::text[],
			$7::smallint[], $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::text[])
			AS v(id, bulletin, idx, seq, kind, method, status, due_at, lease_until, provider_id, created_at, updated_at, error)`
	// An empty provider id or error keeps the one already recorded.
	updateAttemptsSQL = `UPDATE attempts a SET status = v.status,
			provider_id = CASE WHEN v.provider_id = '' THEN a.provider_id ELSE v.provider_id END,
			lease_until = v.lease_until, updated_at = v.at, due_at = v.due_at,
			error = CASE WHEN v.error = '' THEN a.error ELSE v.error END,
			queued_at = CASE WHEN v.status = 0 THEN v.due_at END
		FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[])
			AS v(id, status, provider_id, lease_until, at, error, due_at)
		WHERE a.id = v.id`
	// A recipient's attempts are one id range (its call list, at
	// store.CallListSeq, is past it): one statement a recipient, so that each
	// is an index range scan.
	withdrawSQL     = `UPDATE attempts SET status = $1, queued_at = NULL WHERE id >= $2 AND id < $3 AND status <= $4`
	insertEventsSQL = `INSERT INTO events (bulletin, idx, at, kind, attempt, detail)
		SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::text[], $5::bigint[], $6::text[])`
	insertCallTasksSQL = `INSERT INTO call_tasks (bulletin, assignee, subject, created_at, state)
		SELECT * FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::bigint[], $5::text[])`
	updateBulletinsSQL = `UPDATE bulletins b SET state = v.state
		FROM unnest($1::bigint[], $2::text[]) AS v(id, state) WHERE b.id = v.id`
)

// Apply writes a batch atomically. Its statements are pipelined in one
// pgx.Batch, which PostgreSQL runs as one implicit transaction: one round
// trip, and nothing is committed unless every statement succeeds (for audit
// entries, see applyAudited). Changes apply in the order of SQLite's store,
// so a WithdrawFor also withdraws the batch's own new attempts.
func (s *Store) Apply(ctx context.Context, b *store.Batch) error {
	if len(b.Audit) > 0 {
		return s.applyAudited(ctx, b)
	}
	if b.Len() == 0 {
		return nil
	}
	p := s.changes(b, false)
	if err := p.run(s.pool.SendBatch(ctx, &p.Batch)); err != nil {
		return applyError(err)
	}
	return nil
}

// applyError names a failed batch, as store.ErrConflict if phonetree_write refused it.
func applyError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "40001" && strings.HasPrefix(pe.Message, "phonetree:") {
		return store.ErrConflict
	}
	return fmt.Errorf("apply batch: %w", err)
}

// ExternalChanges counts the writes of engine state by other writers.
func (s *Store) ExternalChanges(ctx context.Context) (uint64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT g.gen - coalesce((SELECT writes FROM engine_writers WHERE id = $1), 0)
		FROM engine_generation g WHERE g.id = 1`, s.writer).Scan(&n)
	return uint64(n), err
}

// changes queues the batch's changes but its audit entries, after a BEGIN
// if begin is set, counted as this store's write (see 006_generation.sql).
func (s *Store) changes(b *store.Batch, begin bool) *pipeline {
	var p pipeline
	if begin {
		p.queue("begin", "BEGIN")
	}
	var expected *int64
	if b.Unchanged != nil {
		v := int64(*b.Unchanged)
		expected = &v
	}
	p.queue("generation", `SELECT phonetree_write($1, $2)`, s.writer, expected)
	if len(b.Recipients) > 0 {
		p.queue("recipients", upsertRecipientsSQL, recipientArgs(lastRecipients(b.Recipients))...)
	}
	if len(b.NewAttempts) > 0 {
		p.queue("new attempts", insertAttemptsSQL, attemptArgs(b.NewAttempts)...)
	}
	if len(b.Attempts) > 0 {
		p.queue("attempt updates", updateAttemptsSQL, updateArgs(mergeUpdates(b.Attempts))...)
	}
	for _, r := range b.WithdrawFor {
		p.queue("withdraw", withdrawSQL, store.AttemptWithdrawn, store.AttemptID(r.Bulletin, r.Idx, 0),
			store.AttemptID(r.Bulletin, r.Idx, store.CallListSeq), store.AttemptSending)
	}
	if len(b.Events) > 0 {
		p.queue("events", insertEventsSQL, eventArgs(b.Events)...)
	}
	if len(b.CallTasks) > 0 {
		p.queue("call tasks", insertCallTasksSQL, callTaskArgs(b.CallTasks)...)
	}
	if len(b.Bulletins) > 0 {
		ids, states := make([]int64, len(b.Bulletins)), make([]string, len(b.Bulletins))
		for i, bs := range b.Bulletins {
			ids[i], states[i] = bs.ID, bs.State
		}
		p.queue("bulletin states", updateBulletinsSQL, ids, states)
	}
	return &p
}

// pipeline is a pgx.Batch whose statements have names for errors.
type pipeline struct {
	pgx.Batch
	what []string
}

func (p *pipeline) queue(name, sql string, args ...any) {
	p.Queue(sql, args...)
	p.what = append(p.what, name)
}

// exec reads the named statements' results; the error names the first
// statement that failed.
func (p *pipeline) exec(br pgx.BatchResults) error {
	for _, w := range p.what {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("%s: %w", w, err)
		}
	}
	return nil
}

// run is exec, then closes br (committing an implicit transaction).
func (p *pipeline) run(br pgx.BatchResults) error {
	err := p.exec(br)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("commit: %w", cerr)
	}
	return err
}

// lastRecipients keeps the last change of each recipient, in the place of
// its first: one INSERT … ON CONFLICT may not change a row twice.
func lastRecipients(rs []store.Recipient) []store.Recipient {
	type key struct {
		b int64
		i int32
	}
	at := make(map[key]int, len(rs))
	out := make([]store.Recipient, 0, len(rs))
	for _, r := range rs {
		k := key{r.Bulletin, r.Idx}
		if j, ok := at[k]; ok {
			out[j] = r
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// mergeUpdates folds several updates of one attempt into one, as if they
// were applied in turn: the last status and times, the last non-empty
// provider id and error.
func mergeUpdates(us []store.AttemptUpdate) []store.AttemptUpdate {
	at := make(map[int64]int, len(us))
	out := make([]store.AttemptUpdate, 0, len(us))
	for _, u := range us {
		j, ok := at[u.ID]
		if !ok {
			at[u.ID] = len(out)
			out = append(out, u)
			continue
		}
		m := &out[j]
		m.Status, m.LeaseUntil, m.DueAt, m.At = u.Status, u.LeaseUntil, u.DueAt, u.At
		if u.ProviderID != "" {
			m.ProviderID = u.ProviderID
		}
		if u.Error != "" {
			m.Error = u.Error
		}
	}
	return out
}

var _ store.ChangeWatcher = (*Store)(nil)
