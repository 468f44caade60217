package verify

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"

	"stele/layout"
	"stele/record"
	"stele/store"
)

// Audit is what a site's audit object for one epoch must state: the
// fingerprint of the signature response of the log's record of that epoch
// (40 bytes, so that a sample of every epoch of a large log stays small).
type Audit struct {
	Epoch     uint64
	Statement [32]byte // record.SignatureResponse.Fingerprint
}

// AuditOf returns the Audit of a signed record; ok is false for a record
// without a signature (a violation), which has no audit object.
func AuditOf(rec *record.Record) (a Audit, ok bool) {
	resp, err := rec.SignatureResponse()
	if err != nil {
		return Audit{}, false
	}
	return Audit{Epoch: rec.Epoch, Statement: resp.Fingerprint()}, true
}

// CheckAudits fetches from site, for each audit of namespace ns, the Plexi
// audit object of its epoch (namespaces/<ns>/audits/<epoch>, what a Plexi
// client reads) and checks that it makes the statement of the log's
// record: the same namespace, epoch, digest, timestamp, ciphersuite, key
// ID and signature. One that differs, or does not parse, is a [*Failure]:
// the site shows Plexi clients a statement its log does not hold. One
// that cannot be fetched (absent included) is an unchecked error. It
// fetches up to workers objects at once and returns the number checked.
func CheckAudits(ctx context.Context, site store.Store, ns string, audits []Audit, workers int) (int, error) {
	var checked atomic.Int64
	err := checkAll(ctx, audits, workers, func(ctx context.Context, a Audit) error {
		err := checkAudit(ctx, site, ns, a)
		if err == nil {
			checked.Add(1)
		}
		return err
	})
	return int(checked.Load()), err
}

func checkAudit(ctx context.Context, site store.Store, ns string, a Audit) error {
	key := layout.Audit(ns, a.Epoch)
	obj, err := site.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", key, err)
	}
	data, err := obj.Decoded()
	if err != nil {
		return &Failure{Object: key, Err: err}
	}
	return CheckAuditObject(key, a, data)
}

// CheckAuditObject checks the bytes of an audit object, stored at key,
// against a: it must parse as a signature response and make a's
// statement. Otherwise the error is a [*Failure] naming key.
func CheckAuditObject(key string, a Audit, data []byte) error {
	got, err := record.ParseSignatureResponse(bytes.TrimSuffix(data, []byte("\n")))
	if err != nil {
		return &Failure{Object: key, Err: err}
	}
	if got.Epoch != a.Epoch {
		return failf(key, "holds the signature response for epoch %d, not %d", got.Epoch, a.Epoch)
	}
	if got.Fingerprint() != a.Statement {
		return failf(key, "the Plexi API serves another signature response for epoch %d than the log's record holds (timestamp %d, digest %x, signature %x)",
			a.Epoch, got.Timestamp, got.Digest, got.Signature)
	}
	return nil
}
