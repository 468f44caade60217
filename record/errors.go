package record

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every error that reports bytes that are not a
// canonical record or signature response, or a record whose fields do not
// fit its kind.
var ErrMalformed = errors.New("malformed record")

// ErrBadSignature is wrapped by every error that reports a Plexi signature
// that does not verify under the given key, a key_id that names another
// key, or a record that should carry a signature and does not.
var ErrBadSignature = errors.New("bad signature")

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, a ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), ErrMalformed)
}
