package verify

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"stele/record"
	"stele/tiles"
)

// Statuses of a log, as reported.
const (
	StatusOpaque = "opaque" // entries are not stele audit records
	StatusOnline = "online" // a stele audit log taking entries
	StatusHalted = "halted" // a stele audit log whose last record is a violation
	// StatusInitialization: a namespace listed without a log yet.
	StatusInitialization = "initialization"
	// StatusStale: a stele audit log whose newest signed record is older
	// than the caller allows (a stalled auditor or directory).
	StatusStale = "stale"
)

// recordCheck checks a log's entries as stele audit records (the
// specification's "The audit record"): every record well-formed and for
// the log's namespace, entry 0 an anchor, epochs contiguous from the anchor,
// each verified record's previous_digest equal to the digest before it, a
// violation only as the last record or followed by an operator's anchor,
// and every Plexi signature valid under the auditor key. A log whose entry
// 0 is not a record is opaque and is not checked further.
//
// Signatures are checked on all cores; Entry returns early errors, and
// finish returns the first error of all.
type recordCheck struct {
	keys   []*record.Verifier // auditor public keys: a signature must verify under one
	origin string
	size   int64 // the log's

	status     string
	last       *record.Record
	count      int64
	verifiedAt int64 // of the newest signed record
	// unparsed counts the entries that are not records at the start of a
	// partial check, before any record; firstUnparsed is the first.
	unparsed      int64
	firstUnparsed int64
	unparsedErr   error

	jobs chan sigJob
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error // first signature failure
}

type sigJob struct {
	index int64
	rec   *record.Record
}

func newRecordCheck(origin string, size int64, keys [][]byte) *recordCheck {
	c := &recordCheck{origin: origin, size: size, jobs: make(chan sigJob, 1024)}
	for _, k := range keys {
		c.keys = append(c.keys, record.NewVerifier(k))
	}
	for range runtime.NumCPU() {
		c.wg.Add(1)
		go c.verifySignatures()
	}
	return c
}

func (c *recordCheck) verifySignatures() {
	defer c.wg.Done()
	for j := range c.jobs {
		if c.failed() {
			continue
		}
		var err error
		for _, k := range c.keys {
			if err = k.Verify(j.rec); err == nil {
				break
			}
		}
		if err != nil {
			c.fail(failf(c.entryBundle(j.index), "record %d (epoch %d): Plexi signature: %v", j.index, j.rec.Epoch, err))
		}
	}
}

func (c *recordCheck) failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

func (c *recordCheck) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// entryBundle names the bundle holding entry i, for messages.
func (c *recordCheck) entryBundle(i int64) string {
	return "entries of " + tiles.Path(tiles.TileOf(-1, i, c.size))
}

// entry checks entry i (in order).
func (c *recordCheck) entry(i int64, e []byte) error {
	if c.status == StatusOpaque {
		return nil
	}
	rec, err := record.Parse(e)
	if err != nil && i == 0 {
		c.status = StatusOpaque
		return nil
	}
	if err != nil && c.last == nil && c.count == 0 {
		// A partial check that starts after entry 0 cannot tell an
		// opaque log from damaged records yet: it is opaque only if no
		// entry it reads is a record.
		if c.unparsed == 0 {
			c.firstUnparsed, c.unparsedErr = i, err
		}
		c.unparsed++
		return nil
	}
	where := c.entryBundle(i)
	if err != nil {
		return failf(where, "entry %d: %v", i, err)
	}
	if c.unparsed > 0 {
		c.last = rec // the log holds records: not opaque
		return failf(c.entryBundle(c.firstUnparsed), "entry %d is not an audit record (%v), though entry %d of this log is",
			c.firstUnparsed, c.unparsedErr, i)
	}
	if err := c.chain(i, rec); err != nil {
		return failf(where, "record %d (epoch %d): %v", i, rec.Epoch, err)
	}
	if rec.Signature != nil {
		c.jobs <- sigJob{i, rec}
		c.verifiedAt = rec.VerifiedAt
	}
	c.last = rec
	c.count++
	if c.failed() {
		return c.finish()
	}
	return nil
}

// gap tells c that the next entry does not follow the last one seen: the
// entries in between are not checked (a partial check, Options.Spans).
// The next record is checked on its own, as entry 0 is but for its kind.
func (c *recordCheck) gap() {
	if c.status != StatusOpaque {
		c.last = nil
	}
}

func (c *recordCheck) chain(i int64, rec *record.Record) error {
	if i == 0 || c.last == nil { // entry 0, or the first after a gap
		if i == 0 && rec.Kind != record.KindAnchor {
			return fmt.Errorf("entry 0 is a %s record, not the anchor", rec.Kind)
		}
		if !strings.HasSuffix(c.origin, "/"+rec.Namespace) && c.origin != rec.Namespace {
			return fmt.Errorf("namespace %q does not match the log's origin %q", rec.Namespace, c.origin)
		}
		return nil
	}
	last := c.last
	switch {
	case rec.Namespace != last.Namespace:
		return fmt.Errorf("namespace %q, the log's is %q", rec.Namespace, last.Namespace)
	case last.Kind == record.KindViolation && rec.Kind != record.KindAnchor:
		return fmt.Errorf("follows the violation at epoch %d: only an operator's anchor may", last.Epoch)
	case rec.Kind == record.KindAnchor && last.Kind != record.KindViolation:
		return fmt.Errorf("an anchor in the middle of the log (only after a violation)")
	case rec.Kind == record.KindAnchor:
		if rec.Epoch < last.Epoch {
			return fmt.Errorf("the new anchor's epoch is before the violation's (%d)", last.Epoch)
		}
	case rec.Epoch != last.Epoch+1:
		return fmt.Errorf("epochs are not contiguous: %d follows %d", rec.Epoch, last.Epoch)
	case rec.Kind == record.KindVerified && rec.PreviousDigest != last.Digest:
		return fmt.Errorf("previous_digest %s is not the digest of epoch %d, %s", rec.PreviousDigest, last.Epoch, last.Digest)
	}
	return nil
}

// finish waits for the signature checks and returns the first failure.
func (c *recordCheck) finish() error {
	if c.jobs != nil {
		close(c.jobs)
		c.wg.Wait()
		c.jobs = nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// statusOf is the log's status once all entries were seen.
func (c *recordCheck) statusOf() string {
	switch {
	case c.status == StatusOpaque || c.last == nil:
		return StatusOpaque
	case c.last.Kind == record.KindViolation:
		return StatusHalted
	default:
		return StatusOnline
	}
}
