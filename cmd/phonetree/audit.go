package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"phonetree/internal/audit"
)

// cliActor names the person at the terminal in the audit log.
func cliActor(e *env) string {
	if u := e.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func auditVerifyCommand() command {
	c := command{name: "audit verify", usage: "[--db PATH]",
		summary: "check the audit log's hash chain; names the first entry that was edited, inserted or removed",
		example: "phonetree audit verify --db ./phonetree.db"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		st, _, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		var v audit.Verifier
		if err := st.AuditLog(ctx, v.Check); err != nil {
			return fmt.Errorf("audit log BROKEN after %d good entries: %w", v.Count(), err)
		}
		fmt.Fprintf(e.stdout, "audit log intact: %d entries; newest hash %s (keep it elsewhere to detect removal of the newest entries)\n", v.Count(), v.Head())
		return nil
	}
	return c
}

func auditExportCommand() command {
	c := command{name: "audit export", usage: "[--db PATH]",
		summary: "write the audit log as JSON lines to standard output",
		example: "phonetree audit export --db ./phonetree.db > audit.jsonl"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		st, _, err := db.open(ctx, e)
		if err != nil {
			return err
		}
		defer st.Close()
		w := bufio.NewWriter(e.stdout)
		enc := json.NewEncoder(w)
		if err := st.AuditLog(ctx, func(en *audit.Entry) error { return enc.Encode(en) }); err != nil {
			return err
		}
		return w.Flush()
	}
	return c
}
