package akd

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrTooLarge is wrapped by a MalformedError when a proof exceeds the
// configured Limits.
var ErrTooLarge = errors.New("akd: proof exceeds limits")

// ErrEmpty is wrapped by a MalformedError for a proof without elements,
// a zero-byte object in particular: no real step has an empty proof, and a
// truncated transfer looks the same.
var ErrEmpty = errors.New("akd: proof object without elements")

// MalformedError reports a proof that could not be decoded, or that
// exceeded the limits. It says nothing about the directory: the caller
// should treat the epoch as not checked and try again later.
type MalformedError struct {
	Err error
}

func (e *MalformedError) Error() string { return "akd: malformed proof: " + e.Err.Error() }
func (e *MalformedError) Unwrap() error { return e.Err }

func malformed(format string, a ...any) error {
	return &MalformedError{Err: fmt.Errorf(format, a...)}
}

// ViolationKind says what a ViolationError contradicts.
type ViolationKind uint8

const (
	// RootMismatch: a rebuilt root differs from the one named.
	RootMismatch ViolationKind = iota + 1
	// LabelSet: the proof's labels are not a prefix-free set (duplicate
	// labels, one label a prefix of another, an empty label).
	LabelSet
)

// ViolationError is positive evidence against the directory: a decodable
// proof that does not prove the step it names.
type ViolationError struct {
	Kind   ViolationKind
	Reason string
	// Roots is true when ComputedPrevious and ComputedCurrent hold the
	// rebuilt roots (always for RootMismatch, never for LabelSet: a
	// contradictory label set has no well-defined tree).
	Roots            bool
	ComputedPrevious [32]byte
	ComputedCurrent  [32]byte
}

func (e *ViolationError) Error() string {
	if !e.Roots {
		return "akd: violation: " + e.Reason
	}
	return fmt.Sprintf("akd: violation: %s (computed previous root %s, current root %s)",
		e.Reason, hex.EncodeToString(e.ComputedPrevious[:]), hex.EncodeToString(e.ComputedCurrent[:]))
}

func labelViolation(format string, a ...any) error {
	return &ViolationError{Kind: LabelSet, Reason: fmt.Sprintf(format, a...)}
}
