package postgres

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// TestArrays encodes with the fast plans and decodes with pgx's own codec.
func TestArrays(t *testing.T) {
	m := pgtype.NewMap()
	registerArrays(m)
	for _, tc := range []struct {
		oid   uint32
		value any
		into  any
	}{
		{pgtype.Int8ArrayOID, []int64{0, -1, 1 << 62, -1 << 63}, new([]int64)},
		{pgtype.Int4ArrayOID, []int32{7, -7, 1<<31 - 1}, new([]int32)},
		{pgtype.Int2ArrayOID, []int16{-1, 0, 32767}, new([]int16)},
		{pgtype.TextArrayOID, []string{"", "sms", "réponse ✓", "line\nbreak"}, new([]string)},
		{pgtype.Int8ArrayOID, []int64{}, new([]int64)},
	} {
		plan := m.PlanEncode(tc.oid, pgtype.BinaryFormatCode, tc.value)
		if _, ok := plan.(encodeArray); !ok {
			t.Fatalf("%T: plan %T, want the fast encoder", tc.value, plan)
		}
		buf, err := plan.Encode(tc.value, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Scan(tc.oid, pgtype.BinaryFormatCode, buf, tc.into); err != nil {
			t.Fatalf("%T: decode: %v", tc.value, err)
		}
		if got := reflect.ValueOf(tc.into).Elem().Interface(); !reflect.DeepEqual(got, tc.value) {
			t.Errorf("round trip: got %v, want %v", got, tc.value)
		}
	}
	// A nil slice is NULL; other types keep pgx's encoders.
	if buf, err := m.PlanEncode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, []int64(nil)).Encode([]int64(nil), []byte("x")); err != nil || buf != nil {
		t.Errorf("nil slice: %q, %v; want NULL", buf, err)
	}
	if _, ok := m.PlanEncode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, []int32{1}).(encodeArray); ok {
		t.Error("[]int32 as int8[] took the fast encoder")
	}
}
