package smtp

import (
	"fmt"
	"html/template"
	"strings"

	"phonetree/internal/provider/content"
)

var htmlBody = template.Must(template.New("email").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;max-width:36em">
{{if .Exercise}}<p style="background:#fde68a;padding:.5em"><b>EXERCISE</b> — this is a drill.</p>{{end}}
<h2>{{.Title}}</h2>
{{if .Short}}<p>{{.Short}}</p>{{end}}
{{if .Ack}}<p><a href="{{.Link}}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:.7em 1.2em;text-decoration:none;border-radius:4px">Confirm you got this</a></p>
{{if .Options}}<p>On that page, choose: {{range $i, $o := .Options}}{{if $i}}, {{end}}<b>{{$o}}</b>{{end}}.</p>{{end}}{{end}}
{{if .Word}}<p>Your word: <b>{{.Word}}</b>. A message without your word is not from us.</p>{{end}}
</body></html>
`))

// render is the text and HTML bodies: the bulletin, the ack link (if the
// message asks for an ack) and the word.
func render(p content.Parts, link string, ack bool) (text, html string, err error) {
	var t strings.Builder
	if p.Exercise {
		t.WriteString("EXERCISE: this is a drill.\n\n")
	}
	t.WriteString(p.Title + "\n")
	if p.Short != "" {
		t.WriteString("\n" + p.Short + "\n")
	}
	if ack {
		fmt.Fprintf(&t, "\nConfirm you got this: %s\n", link)
		if len(p.Options) > 0 {
			fmt.Fprintf(&t, "On that page, choose: %s.\n", strings.Join(p.Options, ", "))
		}
	}
	if p.Word != "" {
		fmt.Fprintf(&t, "\nYour word: %s. A message without your word is not from us.\n", p.Word)
	}
	var h strings.Builder
	data := struct {
		content.Parts
		Link string // sanitised by html/template: only http(s) links pass
		Ack  bool
	}{p, link, ack}
	if err := htmlBody.Execute(&h, data); err != nil {
		return "", "", fmt.Errorf("email html: %w", err)
	}
	return t.String(), h.String(), nil
}
