package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"phonetree/internal/store"
)

// apiError is an API failure: the status is chosen here and only here.
type apiError struct {
	Status  int     `json:"-"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   string  `json:"field,omitempty"`
	Issues  []issue `json:"issues,omitempty"` // every problem, for a roster upload
}

type issue struct {
	Line    int    `json:"line,omitempty"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Message }

func errBadRequest(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "bad_request", Field: field, Message: fmt.Sprintf(format, args...)}
}

func errInvalid(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

func errNotFound(msg string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: msg}
}

func errConflict(code, msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: code, Message: msg}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "log in or send an API token (Authorization: Bearer …)"}
	errCSRF         = &apiError{Status: http.StatusForbidden, Code: "csrf", Message: "missing or wrong CSRF token", Field: "csrf"}
)

func errForbidden(what string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "your role may not " + what}
}

// asAPIError maps an error from the engine or store to an API error.
func asAPIError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, store.ErrNotFound):
		return errNotFound(err.Error())
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; see the server log"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	ae := asAPIError(err)
	writeJSON(w, ae.Status, map[string]*apiError{"error": ae})
}

// decodeJSON reads one JSON object into v: the body must be JSON, at most
// MaxJSON bytes, with no unknown fields and nothing after the object.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: fmt.Sprintf("Content-Type %q: want application/json", ct), Field: "Content-Type"}
		}
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxJSON)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, s.cfg.MaxJSON)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBadRequest("", "malformed JSON: more data after the object")
	}
	return nil
}

func jsonError(err error, limit int64) *apiError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("body larger than %d bytes", limit)}
	case errors.As(err, &syn):
		return errBadRequest("", "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return errBadRequest(typ.Field, "%s: want a %s, got %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errBadRequest("", "empty body: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("", "malformed JSON: the body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return errBadRequest(f, "unknown field %q", f)
	}
	return errBadRequest("", "malformed JSON: %v", err)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathID reads a numeric path parameter.
func pathID(r *http.Request, name string) (int64, *apiError) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errBadRequest(name, "%s: %q is not a positive number", name, v)
	}
	return n, nil
}
