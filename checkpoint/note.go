package checkpoint

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// ErrUnverified reports a note that carries no signature by any of the
// given keys (only unknown signers, or no key covers its origin).
var ErrUnverified = errors.New("no signature by a known key")

// ErrBadSignature reports a signature whose key name and key ID match a
// given key but that does not verify with it: the note is forged or
// corrupted.
var ErrBadSignature = errors.New("bad signature by a known key")

const (
	// MaxNoteSize is the largest signed note, in bytes, that [Open] reads.
	MaxNoteSize = 1 << 20
	// MaxSignatures is the largest number of signature lines a note may carry.
	MaxSignatures = 100

	sigLinePrefix = "— " // em dash U+2014, space
)

// noteSig is one parsed signature line.
type noteSig struct {
	name string
	hash uint32
	sig  []byte // without the key ID
	line int    // 1-based line number within the signature block
}

// splitNote checks a signed note's framing and returns its text (with the
// final newline) and its signature lines, decoded but not verified.
func splitNote(msg []byte) (text []byte, sigs []noteSig, err error) {
	if len(msg) > MaxNoteSize {
		return nil, nil, fmt.Errorf("reading note: %d bytes, more than %d: %w", len(msg), MaxNoteSize, ErrMalformed)
	}
	if err := checkText(msg); err != nil {
		return nil, nil, fmt.Errorf("reading note: %w", err)
	}
	split := bytes.LastIndex(msg, []byte("\n\n"))
	if split < 0 {
		return nil, nil, fmt.Errorf("reading note: no blank line before the signatures: %w", ErrMalformed)
	}
	text, block := msg[:split+1], msg[split+2:]
	if len(block) == 0 {
		return nil, nil, fmt.Errorf("reading note: no signature lines: %w", ErrMalformed)
	}
	if block[len(block)-1] != '\n' {
		return nil, nil, fmt.Errorf("reading note: last signature line does not end in a newline: %w", ErrMalformed)
	}
	lines := strings.Split(string(block[:len(block)-1]), "\n")
	if len(lines) > MaxSignatures {
		return nil, nil, fmt.Errorf("reading note: %d signature lines, more than %d: %w", len(lines), MaxSignatures, ErrMalformed)
	}
	for i, l := range lines {
		s, err := parseSigLine(l)
		if err != nil {
			return nil, nil, fmt.Errorf("reading note: signature line %d: %w", i+1, err)
		}
		s.line = i + 1
		sigs = append(sigs, s)
	}
	return text, sigs, nil
}

// parseSigLine parses "— <name> <base64(key ID || signature)>".
func parseSigLine(l string) (noteSig, error) {
	rest, ok := strings.CutPrefix(l, sigLinePrefix)
	if !ok {
		return noteSig{}, fmt.Errorf("does not start with an em dash and a space: %w", ErrMalformed)
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok {
		return noteSig{}, fmt.Errorf("no space between key name and signature: %w", ErrMalformed)
	}
	if !validName(name) {
		return noteSig{}, fmt.Errorf("key name %q: %w", name, ErrMalformed)
	}
	raw, ok := decodeBase64(b64)
	if !ok || b64 == "" {
		return noteSig{}, fmt.Errorf("signature by %s is not canonical base64: %w", name, ErrMalformed)
	}
	if len(raw) < 5 {
		return noteSig{}, fmt.Errorf("signature by %s is %d bytes, want a 4-byte key ID and a signature: %w", name, len(raw), ErrMalformed)
	}
	return noteSig{name: name, hash: binary.BigEndian.Uint32(raw), sig: raw[4:]}, nil
}

// Sign returns the signed note of c with one signature line per signer, in
// order. It fails if c does not marshal to a valid checkpoint (an empty
// origin, a negative size, an empty extension, a newline or control
// character in a field), if no signer is given, if a signer's name is not a
// valid key name, or if two signers share a name and key ID.
func Sign(c Checkpoint, signers ...*Signer) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("signing checkpoint: %w", err)
	}
	if len(signers) == 0 {
		return nil, errors.New("signing checkpoint: no signer")
	}
	if len(signers) > MaxSignatures {
		return nil, fmt.Errorf("signing checkpoint: %d signers, more than %d", len(signers), MaxSignatures)
	}
	text := c.Marshal()
	out := bytes.NewBuffer(append(text, '\n'))
	seen := make(map[string]bool)
	for _, s := range signers {
		if s == nil {
			return nil, errors.New("signing checkpoint: nil signer")
		}
		if !validName(s.name) {
			return nil, fmt.Errorf("signing checkpoint: signer name %q is not a valid key name", s.name)
		}
		id := s.name + "+" + hashString(s.hash)
		if seen[id] {
			return nil, fmt.Errorf("signing checkpoint: signer %s given twice", id)
		}
		seen[id] = true
		sig, err := s.Sign(text)
		if err != nil {
			return nil, fmt.Errorf("signing checkpoint as %s: %w", s.name, err)
		}
		raw := binary.BigEndian.AppendUint32(nil, s.hash)
		out.WriteString(sigLinePrefix + s.name + " " + base64.StdEncoding.EncodeToString(append(raw, sig...)) + "\n")
	}
	if out.Len() > MaxNoteSize {
		return nil, fmt.Errorf("signing checkpoint: signed note is %d bytes, more than %d", out.Len(), MaxNoteSize)
	}
	return out.Bytes(), nil
}

// Open verifies the signed note msg with verifiers and parses its text as a
// checkpoint.
//
// Signature lines whose key name and key ID match no verifier are ignored. A
// line that matches must verify with one of the matching verifiers, or Open
// fails with [ErrBadSignature]; at least one line must verify, or Open fails
// with [ErrUnverified]. A note or body that does not parse fails with
// [ErrMalformed], which is checked first.
//
// Open does not tie the checkpoint's origin to the names of the keys that
// signed it: a caller that trusts a key for one log only must compare the
// returned Origin with the log it expects, or use [OpenWithOrigin].
func Open(msg []byte, verifiers ...*Verifier) (Checkpoint, error) {
	text, sigs, err := splitNote(msg)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint: %w", err)
	}
	c, err := Parse(text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint: %w", err)
	}
	if err := verifyNote(text, sigs, verifiers); err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint %s: %w", c.Origin, err)
	}
	return c, nil
}

// OpenWithOrigin is [Open] where each verifier is first replaced by its
// [Verifier.ForOrigin] for the origin the note's (not yet verified) body
// names. Verifiers that do not cover that origin are left out; if none
// does, the error wraps [ErrUnverified]. The checkpoint returned is thus
// signed by a given key under a name equal to its own origin.
func OpenWithOrigin(msg []byte, verifiers ...*Verifier) (Checkpoint, error) {
	text, sigs, err := splitNote(msg)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint: %w", err)
	}
	c, err := Parse(text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint: %w", err)
	}
	var derived []*Verifier
	var names []string
	for _, v := range verifiers {
		if v == nil {
			return Checkpoint{}, errors.New("opening checkpoint: nil verifier")
		}
		names = append(names, v.name)
		if d, err := v.ForOrigin(c.Origin); err == nil {
			derived = append(derived, d)
		}
	}
	if len(derived) == 0 {
		return Checkpoint{}, fmt.Errorf("opening checkpoint %s: origin not covered by any key (%s): %w", c.Origin, strings.Join(names, ", "), ErrUnverified)
	}
	if err := verifyNote(text, sigs, derived); err != nil {
		return Checkpoint{}, fmt.Errorf("opening checkpoint %s: %w", c.Origin, err)
	}
	return c, nil
}

// verifyNote applies the signed-note rules to the parsed signature lines.
func verifyNote(text []byte, sigs []noteSig, verifiers []*Verifier) error {
	for _, v := range verifiers {
		if v == nil {
			return errors.New("nil verifier")
		}
	}
	verified := 0
	for _, s := range sigs {
		known, ok := false, false
		for _, v := range verifiers {
			if v.name != s.name || v.hash != s.hash {
				continue
			}
			known = true
			if v.Verify(text, s.sig) {
				ok = true
				break
			}
		}
		if !known {
			continue
		}
		if !ok {
			return fmt.Errorf("signature line %d by %s+%s: %w", s.line, s.name, hashString(s.hash), ErrBadSignature)
		}
		verified++
	}
	if verified == 0 {
		return fmt.Errorf("%d signature lines, none by the %d given keys: %w", len(sigs), len(verifiers), ErrUnverified)
	}
	return nil
}
