package web

import (
	"errors"
	"fmt"
	"net/http"
	"phonetree/internal/engine"
	"strconv"
	"strings"
	"unicode/utf8"
)

type sendData struct {
	Req       sendRequest
	Responses string
	Audience  string
	Incidents []incidentJSON
	Error     string
	Field     string
	Preview   *preview
}

// preview is what people will get: the SMS as the engine writes it (with
// a stand-in for each person's word) and the voice script.
type preview struct {
	SMS      string
	Length   int
	Segments int
	Encoding string
	Script   string
}

func makePreview(req sendRequest) *preview {
	var b strings.Builder
	if req.Status == "exercise" {
		b.WriteString("[EXERCISE] ")
	}
	b.WriteString(req.Title)
	short := req.Short
	if short == "" {
		short = req.Body
	}
	if short != "" {
		b.WriteString(": " + short)
	}
	responses := req.Responses
	if len(responses) == 0 {
		responses = []string{"Safe", "Need help"}
	}
	b.WriteString(" Reply")
	for i, o := range responses {
		fmt.Fprintf(&b, " %d %s", i+1, o)
		if i < len(responses)-1 {
			b.WriteByte(',')
		}
	}
	b.WriteString(". Your word: WORDWORD.")
	p := &preview{SMS: b.String(), Script: req.Script}
	if p.Script == "" {
		p.Script = short
	}
	p.Length, p.Encoding = utf8.RuneCountInString(p.SMS), "GSM-7"
	single, multi := 160, 153
	if !gsm7(p.SMS) {
		p.Encoding, single, multi = "UCS-2", 70, 67
	}
	p.Segments = 1
	if p.Length > single {
		p.Segments = (p.Length + multi - 1) / multi
	}
	return p
}

const gsmChars = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"

func gsm7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsmChars, r) {
			return false
		}
	}
	return true
}

func (s *Server) sendPage(w http.ResponseWriter, r *http.Request, p *principal) {
	d := sendData{Req: sendRequest{Mode: "broadcast", Status: "exercise"}, Responses: "Safe, Need help"}
	if in, err := strconv.ParseInt(r.URL.Query().Get("incident"), 10, 64); err == nil {
		d.Req.Incident, d.Req.Kind = in, "update"
	}
	s.renderSend(w, r, p, http.StatusOK, d)
}

func (s *Server) renderSend(w http.ResponseWriter, r *http.Request, p *principal, status int, d sendData) {
	if bs, err := s.cfg.Store.Bulletins(r.Context()); err == nil {
		d.Incidents = incidents(bs)
	}
	if d.Preview == nil {
		d.Preview = makePreview(d.Req)
	}
	s.renderFor(w, p, status, "send", "Send a bulletin", d)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (s *Server) sendForm(w http.ResponseWriter, r *http.Request, p *principal) {
	d := sendData{Responses: formValue(r, "responses"), Audience: formValue(r, "audience")}
	d.Req = sendRequest{Title: formValue(r, "title"), Body: formValue(r, "body"), Short: formValue(r, "short"),
		Script: formValue(r, "script"), Mode: formValue(r, "mode"), Status: formValue(r, "status"), Kind: formValue(r, "kind"),
		Audience: splitList(d.Audience), Responses: splitList(d.Responses)}
	if v := formValue(r, "incident"); v != "" && v != "0" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			d.Error, d.Field = "incident: not a number", "incident"
			s.renderSend(w, r, p, http.StatusBadRequest, d)
			return
		}
		d.Req.Incident = n
	}
	if formValue(r, "action") == "preview" {
		s.renderSend(w, r, p, http.StatusOK, d)
		return
	}
	b, err := s.send(r, p, d.Req)
	var held *engine.NeedsApproval
	if errors.As(err, &held) {
		d.Error = held.Error() + ". An approver approves it (POST /api/v1/approvals/" + itoa(held.Request) + "/approve)."
		s.renderSend(w, r, p, http.StatusAccepted, d)
		return
	}
	if err != nil {
		ae := asAPIError(err)
		d.Error, d.Field = ae.Message, ae.Field
		s.renderSend(w, r, p, ae.Status, d)
		return
	}
	http.Redirect(w, r, "/bulletins/"+itoa(b.ID), http.StatusSeeOther)
}
