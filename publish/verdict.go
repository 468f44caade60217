package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"stele/akd"
	"stele/record"
	"stele/source"
)

// Verdicts, kept apart everywhere.
const (
	verdictVerified  = "verified"
	verdictViolation = "violation"
	verdictUnchecked = "unchecked"
)

// verdict is the outcome of checking one epoch.
type verdict struct {
	kind  string
	epoch uint64
	objs  []source.Object     // the object checked (two when two claim the epoch), with their sizes as read
	sums  map[string][32]byte // SHA-256 of each object read in full, by name
	size  int64               // bytes read
	// violation evidence
	reason                string
	computedPrev, compCur *[32]byte
	err                   error // unchecked: why
}

// checkProof fetches one proof object and verifies the AKD step it claims.
// Any failure to fetch or decode is unchecked; only a proof that decodes
// and contradicts itself is a violation.
func checkProof(ctx context.Context, src source.Source, cfg akd.Config, obj source.Object, maxBytes int64, workers int) verdict {
	v := verdict{epoch: obj.Epoch, objs: []source.Object{obj}}
	rc, err := src.Open(ctx, obj.Name)
	if err != nil {
		v.kind, v.err = verdictUnchecked, fmt.Errorf("fetching %s: %w", obj.Name, err)
		return v
	}
	defer rc.Close()
	h := sha256.New()
	cr := &countingReader{r: source.LimitReader(rc, maxBytes)}
	body := io.TeeReader(cr, h)
	_, err = akd.Verify(ctx, body, cfg, obj.Epoch, obj.Prev, obj.Cur, &akd.Options{Workers: workers, Limits: akd.Limits{MaxBytes: maxBytes}})
	if err == nil {
		// The decoder stops at the end of the message; hash what is left so
		// the recorded digest covers the whole object.
		if _, err = io.Copy(io.Discard, body); err == nil {
			v.kind = verdictVerified
			v.setRead(cr.n, h.Sum(nil))
			return v
		}
	}
	var viol *akd.ViolationError
	if errors.As(err, &viol) {
		v.kind, v.reason = verdictViolation, viol.Error()
		if _, cerr := io.Copy(io.Discard, body); cerr != nil {
			// The evidence must be complete bytes; a transfer that broke
			// off after the contradiction was seen is retried instead.
			v.kind, v.err = verdictUnchecked, fmt.Errorf("reading %s after a violation: %w", obj.Name, cerr)
			return v
		}
		v.setRead(cr.n, h.Sum(nil))
		if viol.Roots {
			p, c := viol.ComputedPrevious, viol.ComputedCurrent
			v.computedPrev, v.compCur = &p, &c
		}
		return v
	}
	v.kind, v.err = verdictUnchecked, fmt.Errorf("verifying %s: %w", obj.Name, err)
	return v
}

// setRead records that the single object was read in full.
func (v *verdict) setRead(n int64, sum []byte) {
	var s [32]byte
	copy(s[:], sum)
	v.size = n
	v.objs[0].Size = n
	v.sums = map[string][32]byte{v.objs[0].Name: s}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// proofOf describes an object read in full for a record.
func proofOf(obj source.Object, sum [32]byte) record.Proof {
	return record.Proof{Name: obj.Name, Size: obj.Size, SHA256: hex.EncodeToString(sum[:])}
}
