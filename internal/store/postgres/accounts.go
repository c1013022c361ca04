package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"phonetree/internal/store"
)

var _ store.Accounts = (*Store)(nil)

const userCols = `id, name, role, password_hash, totp_sealed, totp_last_step, created_at, disabled`

func scanUser(row pgx.Row) (store.User, error) {
	var u store.User
	err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSealed, &u.TOTPLastStep, &u.CreatedAt, &u.Disabled)
	return u, err
}

// AddUser inserts a user and sets its id; a taken name is store.ErrExists.
func (s *Store) AddUser(ctx context.Context, u *store.User) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO users (name, role, password_hash, totp_sealed, totp_last_step, created_at, disabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, u.TOTPSealed, u.TOTPLastStep, u.CreatedAt, u.Disabled).Scan(&u.ID)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add user %q: %w", u.Name, err)
	}
	return nil
}

// UserByName returns the user with that login name.
func (s *Store) UserByName(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %q", name))
	}
	return &u, nil
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (*store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return &u, nil
}

// Users lists users by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	us, err := collect(rows, err, func(r pgx.CollectableRow) (store.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

// UpdateUser writes a user's role, secrets and disabled flag.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET role = $1, password_hash = $2, totp_sealed = $3, disabled = $4 WHERE id = $5`,
		u.Role, u.PasswordHash, u.TOTPSealed, u.Disabled, u.ID)
	return oneRow(tag, err, fmt.Sprintf("user %d", u.ID))
}

// UseTOTPStep records a TOTP step as used unless it is not later than the
// last. The condition is in the update, so of nodes racing with one code,
// one wins.
func (s *Store) UseTOTPStep(ctx context.Context, user, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, user)
	if err != nil {
		return false, fmt.Errorf("user %d: TOTP step: %w", user, err)
	}
	return tag.RowsAffected() == 1, nil
}

// AddSession stores a session.
func (s *Store) AddSession(ctx context.Context, se *store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		se.Hash, se.User, se.CreatedAt, se.ExpiresAt)
	if err != nil {
		return fmt.Errorf("add session: %w", err)
	}
	return nil
}

// Session returns the unexpired session with that hash.
func (s *Store) Session(ctx context.Context, hash []byte, now int64) (*store.Session, error) {
	var se store.Session
	err := s.pool.QueryRow(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = $1 AND expires_at > $2`, hash, now).
		Scan(&se.Hash, &se.User, &se.CreatedAt, &se.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return &se, nil
}

// DeleteSession removes a session (logout).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

const tokenCols = `id, hash, user_id, name, created_at, expires_at, revoked`

func scanToken(row pgx.Row) (store.Token, error) {
	var t store.Token
	err := row.Scan(&t.ID, &t.Hash, &t.User, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.Revoked)
	return t, err
}

// AddToken stores an API token and sets its id.
func (s *Store) AddToken(ctx context.Context, t *store.Token) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO api_tokens (hash, user_id, name, created_at, expires_at, revoked)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.Hash, t.User, t.Name, t.CreatedAt, t.ExpiresAt, t.Revoked).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("add token: %w", err)
	}
	return nil
}

// Token returns the usable token with that hash.
func (s *Store) Token(ctx context.Context, hash []byte, now int64) (*store.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE hash = $1 AND NOT revoked AND (expires_at = 0 OR expires_at > $2)`, hash, now))
	if err != nil {
		return nil, notFound(err, "token")
	}
	return &t, nil
}

// Tokens lists tokens, newest first.
func (s *Store) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id DESC`)
	ts, err := collect(rows, err, func(r pgx.CollectableRow) (store.Token, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes a token.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET revoked = true WHERE id = $1`, id)
	return oneRow(tag, err, fmt.Sprintf("token %d", id))
}

// oneRow turns an update's outcome into an error: the statement's own, or
// store.ErrNotFound when it changed no row.
func oneRow(tag pgconn.CommandTag, err error, what string) error {
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
