package verify

import (
	"bytes"
	"errors"
	"fmt"
)

// SplitView is proof that a log showed two histories: two checkpoints,
// both signed by a trusted key, of trees where the smaller is not a prefix
// of the larger (or of the same size with different roots). It is always
// returned wrapped in a [*Failure].
type SplitView struct {
	Origin string
	// First and Second are the two signed notes, verbatim: First the one
	// seen before (remembered or archived), Second the current one.
	First, Second []byte
	Reason        string
}

func (s *SplitView) Error() string { return "split view: " + s.Reason }

// Evidence is a self-contained text of the split view: the reason and the
// two signed checkpoints.
func (s *SplitView) Evidence() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "split view of %s: %s\n\n", s.Origin, s.Reason)
	fmt.Fprintf(&b, "--- first checkpoint\n%s", s.First)
	if !bytes.HasSuffix(s.First, []byte("\n")) {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "--- second checkpoint\n%s", s.Second)
	if !bytes.HasSuffix(s.Second, []byte("\n")) {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// AsSplitView returns the split view err wraps, or nil.
func AsSplitView(err error) *SplitView {
	var sv *SplitView
	if errors.As(err, &sv) {
		return sv
	}
	return nil
}

func splitView(object, origin string, first, second []byte, format string, a ...any) error {
	return &Failure{Object: object, Err: &SplitView{Origin: origin, First: first, Second: second, Reason: fmt.Sprintf(format, a...)}}
}
