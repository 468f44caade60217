package mirror

import (
	"stele/record"
	"stele/verify"
)

// audits collects what the audit object of each signed record of a log
// must state, in log order, once per epoch: the first signed record of an
// epoch, as audit objects are immutable once published. 40 bytes a
// record.
type audits struct {
	opaque bool
	list   []verify.Audit
	max    uint64
	seen   map[uint64]bool // epochs; built only if they ever go backwards
}

// add is a verify.Options.Entry callback.
func (a *audits) add(i int64, entry []byte) error {
	if a.opaque {
		return nil
	}
	rec, err := record.Parse(entry)
	if err != nil {
		if i == 0 {
			a.opaque = true
		}
		return nil
	}
	au, ok := verify.AuditOf(rec)
	if !ok {
		return nil
	}
	if len(a.list) > 0 && au.Epoch <= a.max {
		if a.seen == nil {
			a.seen = make(map[uint64]bool, len(a.list))
			for _, x := range a.list {
				a.seen[x.Epoch] = true
			}
		}
		if a.seen[au.Epoch] {
			return nil
		}
	}
	if a.seen != nil {
		a.seen[au.Epoch] = true
	}
	a.max = max(a.max, au.Epoch)
	a.list = append(a.list, au)
	return nil
}
