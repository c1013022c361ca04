package postgres

import (
	"encoding/binary"
	"slices"

	"github.com/jackc/pgx/v5/pgtype"
)

// Batches send each column as one array parameter. pgx encodes arrays
// element by element through its generic codec; these plans write the
// binary array format of []int64, []int32, []int16 and []string directly,
// which matters when a batch is tens of thousands of values. Every other
// value, and all decoding, stay with pgx's codec.

// registerArrays installs the fast array encoders on a connection's type map.
func registerArrays(m *pgtype.Map) {
	for _, a := range []struct {
		array, elem uint32
	}{
		{pgtype.Int8ArrayOID, pgtype.Int8OID},
		{pgtype.Int4ArrayOID, pgtype.Int4OID},
		{pgtype.Int2ArrayOID, pgtype.Int2OID},
		{pgtype.TextArrayOID, pgtype.TextOID},
	} {
		t, ok := m.TypeForOID(a.array)
		if !ok {
			continue
		}
		m.RegisterType(&pgtype.Type{Name: t.Name, OID: t.OID, Codec: arrayCodec{Codec: t.Codec, elem: a.elem}})
	}
}

// arrayCodec is pgx's codec for an array type with a direct binary
// encoder for the one Go slice type that matches its element type.
type arrayCodec struct {
	pgtype.Codec
	elem uint32
}

func (c arrayCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if format == pgtype.BinaryFormatCode {
		switch value.(type) {
		case []int64:
			if c.elem == pgtype.Int8OID {
				return encodeArray(appendInt8s)
			}
		case []int32:
			if c.elem == pgtype.Int4OID {
				return encodeArray(appendInt4s)
			}
		case []int16:
			if c.elem == pgtype.Int2OID {
				return encodeArray(appendInt2s)
			}
		case []string:
			if c.elem == pgtype.TextOID {
				return encodeArray(appendTexts)
			}
		}
	}
	return c.Codec.PlanEncode(m, oid, format, value)
}

// encodeArray is an EncodePlan from a function appending a value.
type encodeArray func(value any, buf []byte) []byte

func (f encodeArray) Encode(value any, buf []byte) ([]byte, error) { return f(value, buf), nil }

// appendHeader writes a one-dimensional, NULL-free array header for n
// elements of type elem (an empty array has no dimensions).
func appendHeader(buf []byte, elem uint32, n, size int) []byte {
	buf = slices.Grow(buf, 20+n*size)
	if n == 0 {
		buf = binary.BigEndian.AppendUint64(buf, 0) // no dimensions, no NULLs
		return binary.BigEndian.AppendUint32(buf, elem)
	}
	for _, v := range []uint32{1, 0, elem, uint32(n), 1} { // dimensions, no NULLs, element type, length, lower bound
		buf = binary.BigEndian.AppendUint32(buf, v)
	}
	return buf
}

func appendInt8s(value any, buf []byte) []byte {
	vs := value.([]int64)
	if vs == nil {
		return nil
	}
	buf = appendHeader(buf, pgtype.Int8OID, len(vs), 12)
	for _, v := range vs {
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, uint64(v))
	}
	return buf
}

func appendInt4s(value any, buf []byte) []byte {
	vs := value.([]int32)
	if vs == nil {
		return nil
	}
	buf = appendHeader(buf, pgtype.Int4OID, len(vs), 8)
	for _, v := range vs {
		buf = binary.BigEndian.AppendUint32(buf, 4)
		buf = binary.BigEndian.AppendUint32(buf, uint32(v))
	}
	return buf
}

func appendInt2s(value any, buf []byte) []byte {
	vs := value.([]int16)
	if vs == nil {
		return nil
	}
	buf = appendHeader(buf, pgtype.Int2OID, len(vs), 6)
	for _, v := range vs {
		buf = binary.BigEndian.AppendUint32(buf, 2)
		buf = binary.BigEndian.AppendUint16(buf, uint16(v))
	}
	return buf
}

func appendTexts(value any, buf []byte) []byte {
	vs := value.([]string)
	if vs == nil {
		return nil
	}
	size := 0
	for _, v := range vs {
		size += len(v)
	}
	buf = appendHeader(buf, pgtype.TextOID, len(vs), 4+size/max(len(vs), 1)+1)
	for _, v := range vs {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
		buf = append(buf, v...)
	}
	return buf
}
