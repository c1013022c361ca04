package web

import (
	"encoding/json"
	"net/http/httptest"

	"phonetree/internal/cascade"
)

func policy(mode string) cascade.Policy {
	m, err := cascade.ParseMode(mode)
	if err != nil {
		panic(err)
	}
	return cascade.DefaultPolicy(m)
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func jsonUnmarshal(s string, v any) { json.Unmarshal([]byte(s), v) }
