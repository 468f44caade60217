package record

import "strconv"

const hexDigits = "0123456789abcdef"

// appendString appends s as a canonical JSON string: '"' and '\\' escaped,
// control characters below U+0020 as \b \t \n \f \r or \u00xx, everything
// else (including non-ASCII UTF-8, which the caller has validated) as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends ,"name": (or "name": when first).
func appendKey(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendStringField(b []byte, name, value string) []byte {
	return appendString(appendKey(b, name, false), value)
}

// appendHexField appends a field whose value is already lower-case hex.
func appendHexField(b []byte, name, value string) []byte {
	b = appendKey(b, name, false)
	b = append(b, '"')
	b = append(b, value...)
	return append(b, '"')
}

// appendHexBytes appends the lower-case hexadecimal string of v.
func appendHexBytes(b []byte, v []byte) []byte {
	b = append(b, '"')
	for _, c := range v {
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(b, '"')
}

func appendUintField(b []byte, name string, v uint64) []byte {
	return strconv.AppendUint(appendKey(b, name, false), v, 10)
}

func appendIntField(b []byte, name string, v int64) []byte {
	return strconv.AppendInt(appendKey(b, name, false), v, 10)
}
