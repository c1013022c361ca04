package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"phonetree/internal/store"
)

var _ store.Accounts = (*Store)(nil)

const userCols = `id, name, role, password_hash, totp_sealed, totp_last_step, created_at, disabled`

// AddUser inserts a user and sets its id.
func (s *Store) AddUser(ctx context.Context, u *store.User) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO users(name, role, password_hash, totp_sealed, totp_last_step, created_at, disabled)
		VALUES (?,?,?,?,?,?,?)`, u.Name, u.Role, u.PasswordHash, u.TOTPSealed, u.TOTPLastStep, u.CreatedAt, u.Disabled)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
		}
		return err
	}
	u.ID, err = res.LastInsertId()
	return err
}

func scanUser(sc interface{ Scan(...any) error }) (*store.User, error) {
	var u store.User
	err := sc.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSealed, &u.TOTPLastStep, &u.CreatedAt, &u.Disabled)
	return &u, err
}

// UserByName returns the user with that login name.
func (s *Store) UserByName(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, name))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %q", name))
	}
	return u, nil
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (*store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return u, nil
}

// Users lists users by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// UpdateUser writes a user's role, secrets and disabled flag.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, totp_sealed = ?, disabled = ? WHERE id = ?`,
		u.Role, u.PasswordHash, u.TOTPSealed, u.Disabled, u.ID)
	if err != nil {
		return err
	}
	return oneRow(res, fmt.Sprintf("user %d", u.ID))
}

// UseTOTPStep records a TOTP step as used unless it is not later than the last.
func (s *Store) UseTOTPStep(ctx context.Context, user, step int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, user, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AddSession stores a session.
func (s *Store) AddSession(ctx context.Context, se *store.Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions(hash, user, created_at, expires_at) VALUES (?,?,?,?)`,
		se.Hash, se.User, se.CreatedAt, se.ExpiresAt)
	return err
}

// Session returns the unexpired session with that hash.
func (s *Store) Session(ctx context.Context, hash []byte, now int64) (*store.Session, error) {
	var se store.Session
	err := s.r.QueryRowContext(ctx, `SELECT hash, user, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`, hash, now).
		Scan(&se.Hash, &se.User, &se.CreatedAt, &se.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return &se, nil
}

// DeleteSession removes a session (logout).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	return err
}

// AddToken stores an API token and sets its id.
func (s *Store) AddToken(ctx context.Context, t *store.Token) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO api_tokens(hash, user, name, created_at, expires_at, revoked) VALUES (?,?,?,?,?,?)`,
		t.Hash, t.User, t.Name, t.CreatedAt, t.ExpiresAt, t.Revoked)
	if err != nil {
		return err
	}
	t.ID, err = res.LastInsertId()
	return err
}

const tokenCols = `id, hash, user, name, created_at, expires_at, revoked`

func scanToken(sc interface{ Scan(...any) error }) (*store.Token, error) {
	var t store.Token
	err := sc.Scan(&t.ID, &t.Hash, &t.User, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.Revoked)
	return &t, err
}

// Token returns the usable token with that hash.
func (s *Store) Token(ctx context.Context, hash []byte, now int64) (*store.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE hash = ? AND revoked = 0 AND (expires_at = 0 OR expires_at > ?)`, hash, now))
	if err != nil {
		return nil, notFound(err, "token")
	}
	return t, nil
}

// Tokens lists tokens, newest first.
func (s *Store) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return oneRow(res, fmt.Sprintf("token %d", id))
}

func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
