package verify

import (
	"errors"
	"fmt"

	"stele/store"
)

// Failure is a verification failure: complete bytes of Object that fail to
// parse, hash or verify. It is evidence against the log, not a transient
// condition.
type Failure struct {
	Object string // key of the offending object, relative to the log root
	Err    error
}

func (f *Failure) Error() string { return f.Object + ": " + f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

func failf(object, format string, a ...any) error {
	return &Failure{Object: object, Err: fmt.Errorf(format, a...)}
}

// IsFailure reports whether err is (or wraps) a verification failure, as
// opposed to an object that could not be read. An object that arrived whole
// but whose content encoding does not decode is a failure too.
func IsFailure(err error) bool {
	var f *Failure
	return errors.As(err, &f) || errors.Is(err, store.ErrCorruptEncoding)
}

// Result strings, as in the JSON output.
const (
	ResultOK        = "ok"
	ResultFailed    = "failed"
	ResultUnchecked = "unchecked"
)

// Classify maps an error from a verification to its result string.
func Classify(err error) string {
	switch {
	case err == nil:
		return ResultOK
	case IsFailure(err):
		return ResultFailed
	default:
		return ResultUnchecked
	}
}
