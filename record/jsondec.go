package record

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"
)

// scanner reads the canonical JSON that this package writes, and nothing
// else. Every method either consumes what it expects or returns an error
// wrapping ErrMalformed that names the byte offset.
type scanner struct {
	b    []byte
	src  string // string(b), copied once: values are substrings of it
	i    int
	what string // what is being parsed, for errors
}

func newScanner(b []byte, what string) *scanner {
	return &scanner{b: b, src: string(b), what: what}
}

func (s *scanner) errorf(format string, a ...any) error {
	return fmt.Errorf("parsing %s at byte %d: %w", s.what, s.i, malformed(format, a...))
}

// next returns the next byte without consuming it; ok is false at the end.
func (s *scanner) next() (c byte, ok bool) {
	if s.i >= len(s.b) {
		return 0, false
	}
	return s.b[s.i], true
}

func (s *scanner) expect(c byte) error {
	if s.i >= len(s.b) {
		return s.errorf("unexpected end, want %q", c)
	}
	if s.b[s.i] != c {
		return s.errorf("found %q, want %q", s.b[s.i], c)
	}
	s.i++
	return nil
}

// more reads what follows a member's value: ',' (more is true) or '}'.
func (s *scanner) more() (bool, error) {
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ',':
			s.i++
			return true, nil
		case '}':
			s.i++
			return false, nil
		}
		return false, s.errorf("found %q after a value, want ',' or '}'", s.b[s.i])
	}
	return false, s.errorf("unexpected end, want ',' or '}'")
}

// end checks that all input has been consumed.
func (s *scanner) end() error {
	if s.i != len(s.b) {
		return s.errorf("%d bytes after the end of the object", len(s.b)-s.i)
	}
	return nil
}

// key reads an object key and the ':' after it. Keys are lower-case ASCII
// letters, digits and '_'; the returned slice aliases the input.
func (s *scanner) key() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			k := s.b[start:s.i]
			s.i++
			if len(k) == 0 {
				return nil, s.errorf("empty key")
			}
			return k, s.expect(':')
		}
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			end := start + min(len(s.b)-start, 40)
			if q := bytes.IndexByte(s.b[start:end], '"'); q >= 0 {
				end = start + q
			}
			s.i = start - 1
			return nil, s.errorf("unknown key %q", s.b[start:end])
		}
		s.i++
	}
	return nil, s.errorf("unterminated key")
}

// expectKey reads a key that must be name.
func (s *scanner) expectKey(name string) error {
	at := s.i
	k, err := s.key()
	if err != nil {
		return err
	}
	if string(k) != name {
		s.i = at
		return s.errorf("key %q, want %q", k, name)
	}
	return nil
}

// str reads a canonically escaped JSON string of valid UTF-8.
func (s *scanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	start := s.i
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(s.b[start:s.i]) {
				return "", s.errorf("string is not valid UTF-8")
			}
			s.i++
			return s.src[start : s.i-1], nil
		case c == '\\':
			return s.escapedStr(start, ascii)
		case c < 0x20:
			return "", s.errorf("unescaped control character in string")
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return "", s.errorf("unterminated string")
}

// escapedStr continues str from the first backslash, building the value.
func (s *scanner) escapedStr(start int, ascii bool) (string, error) {
	if !ascii && !utf8.Valid(s.b[start:s.i]) {
		return "", s.errorf("string is not valid UTF-8")
	}
	out := append([]byte(nil), s.b[start:s.i]...)
	seg := s.i // start of the current run of unescaped bytes
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			if !utf8.Valid(s.b[seg:s.i]) {
				return "", s.errorf("string is not valid UTF-8")
			}
			out = append(out, s.b[seg:s.i]...)
			s.i++
			return string(out), nil
		case c == '\\':
			if !utf8.Valid(s.b[seg:s.i]) {
				return "", s.errorf("string is not valid UTF-8")
			}
			out = append(out, s.b[seg:s.i]...)
			v, err := s.escape()
			if err != nil {
				return "", err
			}
			out = append(out, v)
			seg = s.i
		case c < 0x20:
			return "", s.errorf("unescaped control character in string")
		default:
			s.i++
		}
	}
	return "", s.errorf("unterminated string")
}

// escape reads one escape sequence at s.i and returns the byte it stands
// for. Only the escapes appendString writes are accepted.
func (s *scanner) escape() (byte, error) {
	if s.i+1 >= len(s.b) {
		return 0, s.errorf("unterminated escape")
	}
	switch s.b[s.i+1] {
	case '"':
		s.i += 2
		return '"', nil
	case '\\':
		s.i += 2
		return '\\', nil
	case 'b':
		s.i += 2
		return '\b', nil
	case 't':
		s.i += 2
		return '\t', nil
	case 'n':
		s.i += 2
		return '\n', nil
	case 'f':
		s.i += 2
		return '\f', nil
	case 'r':
		s.i += 2
		return '\r', nil
	case 'u':
		if s.i+6 > len(s.b) {
			return 0, s.errorf("unterminated escape")
		}
		e := s.b[s.i+2 : s.i+6]
		if e[0] != '0' || e[1] != '0' || (e[2] != '0' && e[2] != '1') || fromHex(e[3]) < 0 {
			return 0, s.errorf("non-canonical escape \\u%s", e)
		}
		v := (e[2]-'0')<<4 | byte(fromHex(e[3]))
		switch v {
		case '\b', '\t', '\n', '\f', '\r':
			return 0, s.errorf("non-canonical escape \\u%s", e)
		}
		s.i += 6
		return v, nil
	}
	return 0, s.errorf("non-canonical escape \\%c", s.b[s.i+1])
}

// fromHex returns the value of a lower-case hexadecimal digit, or -1.
func fromHex(c byte) int { return int(hexValue[c]) - 1 }

// hexStr reads a string of exactly n lower-case hexadecimal digits, or of
// none when empty is allowed.
func (s *scanner) hexStr(n int, empty bool) (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	if empty && s.i < len(s.b) && s.b[s.i] == '"' {
		s.i++
		return "", nil
	}
	if len(s.b)-s.i < n+1 {
		return "", s.errorf("want %d hexadecimal digits", n)
	}
	start := s.i
	for j, c := range s.b[start : start+n] {
		if fromHex(c) < 0 {
			s.i += j
			return "", s.errorf("want %d lower-case hexadecimal digits", n)
		}
	}
	s.i += n
	if s.b[s.i] != '"' {
		return "", s.errorf("want %d hexadecimal digits", n)
	}
	s.i++
	return s.src[start : start+n], nil
}

// hexBytes reads a string of an even number of lower-case hexadecimal
// digits and returns the bytes they encode.
func (s *scanner) hexBytes() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for s.i < len(s.b) && s.b[s.i] != '"' {
		if fromHex(s.b[s.i]) < 0 {
			return nil, s.errorf("want lower-case hexadecimal digits")
		}
		s.i++
	}
	if s.i >= len(s.b) {
		return nil, s.errorf("unterminated string")
	}
	h := s.b[start:s.i]
	if len(h)%2 != 0 {
		return nil, s.errorf("odd number of hexadecimal digits")
	}
	s.i++
	out := make([]byte, len(h)/2)
	for j := range out {
		out[j] = byte(fromHex(h[2*j])<<4 | fromHex(h[2*j+1]))
	}
	return out, nil
}

// uint reads a canonical non-negative integer no larger than max: "0" or
// a non-zero digit followed by digits.
func (s *scanner) uint(max uint64) (uint64, error) {
	start := s.i
	var v uint64
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c < '0' || c > '9' {
			break
		}
		if s.i > start && s.b[start] == '0' {
			s.i = start
			return 0, s.errorf("number with a leading zero")
		}
		d := uint64(c - '0')
		if v > (max-d)/10 {
			s.i = start
			return 0, s.errorf("number larger than %d", max)
		}
		v = v*10 + d
		s.i++
	}
	if s.i == start {
		return 0, s.errorf("want a non-negative integer")
	}
	return v, nil
}

func (s *scanner) int64() (int64, error) {
	v, err := s.uint(math.MaxInt64)
	return int64(v), err
}
