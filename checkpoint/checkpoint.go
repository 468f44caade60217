package checkpoint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrMalformed reports a checkpoint body, signed note or signature line that
// does not follow the C2SP formats. It is always wrapped with what was being
// read and where.
var ErrMalformed = errors.New("malformed")

// Checkpoint is a C2SP tlog-checkpoint body.
type Checkpoint struct {
	Origin     string    // first line, non-empty, no newline
	Size       int64     // tree size, decimal, no leading zeros (except "0")
	Hash       tlog.Hash // root hash, std base64 with padding
	Extensions []string  // optional further lines, each non-empty
}

// Marshal returns the note text of c: the origin, size, root hash and any
// extension lines, each followed by a newline. It does not check c; [Sign]
// does.
func (c Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Hash[:]))
	b.WriteByte('\n')
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// String returns the body in one line, for messages.
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s@%d:%s", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
}

// Parse parses a checkpoint body (the text of a signed note, signatures
// removed). It is strict: every line must end in a newline and be non-empty,
// the text must be valid UTF-8 without control characters other than
// newline, the size is a canonical non-negative decimal that fits an int64,
// and the hash is the canonical padded base64 of exactly 32 bytes. Errors
// wrap [ErrMalformed].
func Parse(body []byte) (Checkpoint, error) {
	if err := checkText(body); err != nil {
		return Checkpoint{}, fmt.Errorf("parsing checkpoint: %w", err)
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return Checkpoint{}, fmt.Errorf("parsing checkpoint: text does not end in a newline: %w", ErrMalformed)
	}
	lines := strings.Split(string(body[:len(body)-1]), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("parsing checkpoint: %d lines, want at least 3: %w", len(lines), ErrMalformed)
	}
	for i, l := range lines {
		if l == "" {
			return Checkpoint{}, fmt.Errorf("parsing checkpoint: line %d is empty: %w", i+1, ErrMalformed)
		}
	}
	size, err := parseSize(lines[1])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("parsing checkpoint: line 2 (tree size): %w", err)
	}
	hash, err := parseHash(lines[2])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("parsing checkpoint: line 3 (root hash): %w", err)
	}
	c := Checkpoint{Origin: lines[0], Size: size, Hash: hash}
	if len(lines) > 3 {
		c.Extensions = lines[3:]
	}
	return c, nil
}

// parseSize accepts "0" or a decimal without sign or leading zero that fits
// an int64.
func parseSize(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a decimal number: %w", s, ErrMalformed)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero: %w", s, ErrMalformed)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q does not fit an int64: %w", s, ErrMalformed)
	}
	return n, nil
}

// parseHash accepts only the canonical padded standard base64 of 32 bytes.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	if len(s) != base64.StdEncoding.EncodedLen(len(h)) {
		return h, fmt.Errorf("%d characters, want %d: %w", len(s), base64.StdEncoding.EncodedLen(len(h)), ErrMalformed)
	}
	b, ok := decodeBase64(s)
	if !ok || len(b) != len(h) {
		return h, fmt.Errorf("not the base64 of a 32-byte hash: %w", ErrMalformed)
	}
	copy(h[:], b)
	return h, nil
}

// checkText enforces the character rules of signed notes: valid UTF-8 and no
// ASCII control character other than newline.
func checkText(b []byte) error {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("invalid UTF-8 at byte %d: %w", i, ErrMalformed)
		}
		if r < 0x20 && r != '\n' {
			return fmt.Errorf("control character %#02x at byte %d: %w", r, i, ErrMalformed)
		}
		i += n
	}
	return nil
}

// validate reports whether c marshals to a body that parses back to c.
func (c Checkpoint) validate() error {
	got, err := Parse(c.Marshal())
	if err != nil {
		return err
	}
	if got.Origin != c.Origin || got.Size != c.Size || got.Hash != c.Hash || !slices.Equal(got.Extensions, c.Extensions) {
		// A newline inside a field shifts the lines yet may still parse.
		return fmt.Errorf("checkpoint %s: a field contains a newline: %w", c, ErrMalformed)
	}
	return nil
}
