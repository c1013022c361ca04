package store

import (
	"context"
	"errors"
)

// ErrExists is returned when adding a user whose login name is taken.
var ErrExists = errors.New("already exists")

// User is an operator account. Secrets are never stored in the clear: the
// password as an argon2id hash, the TOTP secret sealed with the contact-data key.
type User struct {
	ID           int64
	Name         string // the login name
	Role         string // admin, commander, approver, caller, viewer
	PasswordHash string // argon2id, PHC string format
	TOTPSealed   []byte // the TOTP secret, sealed
	TOTPLastStep int64  // the last TOTP time step accepted (replay protection)
	CreatedAt    int64
	Disabled     bool
}

// Session is a logged-in browser. Only the hash of its cookie is stored.
type Session struct {
	Hash      []byte
	User      int64
	CreatedAt int64
	ExpiresAt int64
}

// Token is an API token. Only its hash is stored.
type Token struct {
	ID        int64
	Hash      []byte
	User      int64
	Name      string
	CreatedAt int64
	ExpiresAt int64 // 0: never
	Revoked   bool
}

// Accounts is operator accounts, sessions and API tokens. It is separate
// from Store so that a backend can grow it without touching the engine's
// interface.
type Accounts interface {
	AddUser(ctx context.Context, u *User) error
	// UserByName returns the user with that login name, or ErrNotFound.
	UserByName(ctx context.Context, name string) (*User, error)
	User(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, u *User) error
	// UseTOTPStep records step as used if it is later than the last one
	// used; ok is false when it is not (a replayed code).
	UseTOTPStep(ctx context.Context, user, step int64) (ok bool, err error)

	AddSession(ctx context.Context, s *Session) error
	// Session returns the unexpired session with that hash, or ErrNotFound.
	Session(ctx context.Context, hash []byte, now int64) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error

	AddToken(ctx context.Context, t *Token) error
	// Token returns the unrevoked, unexpired token with that hash, or ErrNotFound.
	Token(ctx context.Context, hash []byte, now int64) (*Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64) error
}

// Operations is what the server reads and changes beside the engine: the
// call-task queue and the depth of the engine's work.
type Operations interface {
	// SetCallTaskState changes a call task's state (open, done).
	SetCallTaskState(ctx context.Context, id int64, state string) error
	// OpenCallTasks lists open call tasks of running bulletins, oldest first.
	OpenCallTasks(ctx context.Context, limit int) ([]CallTask, error)
	// QueueDepth counts recipients due by now and attempts queued by now.
	QueueDepth(ctx context.Context, now int64) (due, queued int, err error)
	// ReadRecipients is Store.Recipients read from a snapshot that does not
	// wait for the engine's writes (what a page shows, or checks first).
	ReadRecipients(ctx context.Context, bulletin int64, idxs []int32) ([]Recipient, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
