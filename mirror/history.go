package mirror

import (
	"errors"
	"fmt"
	"strconv"
)

// MaxHistory is the most archived checkpoints a history may list.
const MaxHistory = 1 << 24

// ParseHistory parses a log's history object: a JSON array of the sizes
// of its archived checkpoints, non-negative integers in increasing order,
// such as "[31,41]". White space around the tokens is allowed.
func ParseHistory(b []byte) ([]int64, error) {
	s := &histScanner{b: b}
	s.space()
	if !s.eat('[') {
		return nil, s.errorf("want '['")
	}
	var out []int64
	s.space()
	if s.eat(']') {
		return out, s.end()
	}
	for {
		s.space()
		n, err := s.number()
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, s.errorf("size %d does not follow %d in increasing order", n, out[len(out)-1])
		}
		if len(out) == MaxHistory {
			return nil, s.errorf("more than %d sizes", MaxHistory)
		}
		out = append(out, n)
		s.space()
		if s.eat(']') {
			return out, s.end()
		}
		if !s.eat(',') {
			return nil, s.errorf("want ',' or ']'")
		}
	}
}

// FormatHistory is the inverse of ParseHistory, without white space.
func FormatHistory(sizes []int64) []byte {
	b := []byte{'['}
	for i, s := range sizes {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, s, 10)
	}
	return append(b, ']')
}

// ErrMalformedHistory is wrapped by every error of ParseHistory.
var ErrMalformedHistory = errors.New("malformed history")

type histScanner struct {
	b []byte
	i int
}

func (s *histScanner) errorf(format string, a ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrMalformedHistory, s.i, fmt.Sprintf(format, a...))
}

func (s *histScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *histScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *histScanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return s.errorf("trailing bytes")
	}
	return nil
}

// number reads a non-negative decimal integer without leading zeros that
// fits an int64.
func (s *histScanner) number() (int64, error) {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	digits := string(s.b[start:s.i])
	if digits == "" {
		return 0, s.errorf("want a size")
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, s.errorf("size %q has a leading zero", digits)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, s.errorf("size %q does not fit an int64", digits)
	}
	return n, nil
}
