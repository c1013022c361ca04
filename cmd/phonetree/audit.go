package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"phonetree/internal/audit"
	"phonetree/internal/seal"
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
	return c.onDB(func(ctx context.Context, e *env, st database, _ *seal.Key) error {
		var v audit.Verifier
		if err := st.AuditLog(ctx, v.Check); err != nil {
			return fmt.Errorf("audit log BROKEN after %d good entries: %w", v.Count(), err)
		}
		fmt.Fprintf(e.stdout, "audit log intact: %d entries; newest hash %s (keep it elsewhere to detect removal of the newest entries)\n", v.Count(), v.Head())
		return nil
	})
}

func auditExportCommand() command {
	c := command{name: "audit export", usage: "[--db PATH]",
		summary: "write the audit log as JSON lines to standard output",
		example: "phonetree audit export --db ./phonetree.db > audit.jsonl"}
	return c.onDB(func(ctx context.Context, e *env, st database, _ *seal.Key) error {
		w := bufio.NewWriter(e.stdout)
		enc := json.NewEncoder(w)
		if err := st.AuditLog(ctx, func(en *audit.Entry) error { return enc.Encode(en) }); err != nil {
			return err
		}
		return w.Flush()
	})
}
