package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// rowsPerStatement bounds multi-row statements (SQLite allows 32766 variables).
const rowsPerStatement = 200

// multi runs "head VALUES (?,…),(?,…) tail" over rows of n columns each,
// rowsPerStatement rows a statement, reusing one prepared statement for full chunks.
type multi struct {
	tx         *sql.Tx
	head, tail string
	cols       int
	full       *sql.Stmt
}

func (m *multi) sql(rows int) string {
	var b strings.Builder
	b.WriteString(m.head)
	b.WriteString(" VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", m.cols), ",") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteString(" ")
	b.WriteString(m.tail)
	return b.String()
}

// exec writes args, a flat list of len(rows)*cols values.
func (m *multi) exec(ctx context.Context, args []any) error {
	per := rowsPerStatement * m.cols
	for len(args) > 0 {
		if len(args) >= per {
			if m.full == nil {
				st, err := m.tx.PrepareContext(ctx, m.sql(rowsPerStatement))
				if err != nil {
					return err
				}
				m.full = st
			}
			if _, err := m.full.ExecContext(ctx, args[:per]...); err != nil {
				return err
			}
			args = args[per:]
			continue
		}
		if _, err := m.tx.ExecContext(ctx, m.sql(len(args)/m.cols), args...); err != nil {
			return err
		}
		break
	}
	return nil
}

func (m *multi) close() {
	if m.full != nil {
		m.full.Close()
	}
}

func insertMulti(ctx context.Context, tx *sql.Tx, head, tail string, cols int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	m := &multi{tx: tx, head: head, tail: tail, cols: cols}
	defer m.close()
	return m.exec(ctx, args)
}
