package store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WriteError is the error of one failed write to an [S3] store: what was
// being done ("creating", "writing", "swapping"), the key, and why (an
// error wrapping ErrImmutable, ErrPrecondition, ErrPrefixConflict, or
// what the service or the network said). Writes that failed in the
// background are reported by Sync and Swap as WriteErrors joined
// together, so that a caller can find each key with errors.As or by
// walking the joined errors.
type WriteError struct {
	Op, Key  string
	Location string // s3://BUCKET/PREFIX
	Err      error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("store: %s %s in %s: %v", e.Op, e.Key, e.Location, e.Err)
}

// Unwrap returns the reason.
func (e *WriteError) Unwrap() error { return e.Err }

// errNotExist is what a missing object's error wraps.
var errNotExist = fs.ErrNotExist

// apiCode returns the S3 error code of err ("NoSuchKey"), or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of the response that err answers, or 0.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isNotFound reports an answer saying that the object is not there.
func isNotFound(err error) bool {
	switch apiCode(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return httpStatus(err) == http.StatusNotFound && apiCode(err) != "NoSuchBucket"
}

// isPreconditionFailed reports a 412: a condition of the request did not
// hold.
func isPreconditionFailed(err error) bool {
	return apiCode(err) == "PreconditionFailed" || httpStatus(err) == http.StatusPreconditionFailed
}

// isConditionalConflict reports AWS's 409 for a conditional write that
// raced another write of the same key.
func isConditionalConflict(err error) bool {
	return apiCode(err) == "ConditionalRequestConflict"
}

// isPrefixConflict reports a service that cannot hold an object at a key
// that is also a prefix of other keys: versitygw's posix backend says
// ObjectParentIsFile or ExistingObjectIsDirectory, MinIO
// XMinioParentIsObject or XMinioObjectExistsAsDirectory.
func isPrefixConflict(err error) bool {
	switch apiCode(err) {
	case "ObjectParentIsFile", "ExistingObjectIsDirectory", "XMinioParentIsObject", "XMinioObjectExistsAsDirectory":
		return true
	}
	return false
}
