package mirror

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"stele/record"
	"stele/verify"
)

// epochs collects, from a log's signed records in log order, their epochs
// (as ranges: a namespace's epochs are contiguous but for resumed
// anchors) and a fingerprint of each record's Plexi signature response,
// so that the audit objects the site serves can be checked against the
// log: 8 bytes a signed record.
type epochs struct {
	opaque bool
	ranges []epochRange
	fps    []uint64 // by signed record, in log order
}

type epochRange struct {
	first, last uint64
	at          int // index in fps of the record of epoch first
}

func (e *epochs) add(i int64, entry []byte) error {
	if e.opaque {
		return nil
	}
	rec, err := record.Parse(entry)
	if err != nil {
		if i == 0 {
			e.opaque = true
		}
		return nil
	}
	if rec.Signature == nil {
		return nil
	}
	resp, err := rec.SignatureResponse()
	if err != nil {
		// The verifier has checked the record; this cannot happen.
		return fmt.Errorf("record %d: %w", i, err)
	}
	e.fps = append(e.fps, fingerprint(resp))
	if k := len(e.ranges); k > 0 && e.ranges[k-1].last+1 == rec.Epoch {
		e.ranges[k-1].last = rec.Epoch
		return nil
	}
	e.ranges = append(e.ranges, epochRange{first: rec.Epoch, last: rec.Epoch, at: len(e.fps) - 1})
	return nil
}

// all returns every epoch once, in log order.
func (e *epochs) all() []uint64 {
	var out []uint64
	seen := make(map[uint64]bool)
	for _, r := range e.ranges {
		for x := r.first; ; x++ {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
			if x == r.last {
				break
			}
		}
	}
	return out
}

// fingerprintOf returns the fingerprint of the first signed record of
// epoch.
func (e *epochs) fingerprintOf(epoch uint64) (uint64, bool) {
	for _, r := range e.ranges {
		if epoch >= r.first && epoch <= r.last {
			return e.fps[r.at+int(epoch-r.first)], true
		}
	}
	return 0, false
}

// fingerprint hashes the fields of a signature response that say what was
// signed and the signature: equal fingerprints mean the same signed
// statement. serialized_message is left out: parsing checks that it is
// absent or the message of these fields.
func fingerprint(s *record.SignatureResponse) uint64 {
	h := sha256.New()
	var b [8]byte
	put := func(v uint64) {
		binary.BigEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	put(uint64(s.Ciphersuite))
	put(uint64(len(s.Namespace)))
	h.Write([]byte(s.Namespace))
	put(uint64(s.Timestamp))
	put(s.Epoch)
	h.Write(s.Digest)
	h.Write(s.Signature)
	if s.KeyID != nil {
		h.Write([]byte{1, *s.KeyID})
	} else {
		h.Write([]byte{0})
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// checkAudit checks the audit object of epoch, as the site serves it,
// against the log's record of that epoch: a Plexi client reading the API
// must be shown what the log holds. A mismatch is a failure naming key.
func (e *epochs) checkAudit(key string, epoch uint64, data []byte) error {
	want, ok := e.fingerprintOf(epoch)
	if !ok {
		return nil
	}
	if n := len(data); n > 0 && data[n-1] == '\n' {
		data = data[:n-1]
	}
	resp, err := record.ParseSignatureResponse(data)
	if err != nil {
		return &verify.Failure{Object: key, Err: err}
	}
	if resp.Epoch != epoch {
		return &verify.Failure{Object: key, Err: fmt.Errorf("holds the signature response for epoch %d, not %d", resp.Epoch, epoch)}
	}
	if fingerprint(resp) != want {
		return &verify.Failure{Object: key, Err: fmt.Errorf(
			"the Plexi API serves another signature response for epoch %d than the log's record holds (timestamp %d, digest %x, signature %x)",
			epoch, resp.Timestamp, resp.Digest, resp.Signature)}
	}
	return nil
}
