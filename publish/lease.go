package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"stele/layout"
	"stele/store"
)

// ErrLeaseHeld means another publisher holds the namespace's lease. Nothing
// was written; run again later (exit 3).
var ErrLeaseHeld = errors.New("another publisher holds the lease")

// lease is one run's claim on a namespace ("logs/<ns>/lock"): a small JSON
// object swapped in by compare-and-swap, so two publishers cannot both
// take it. It expires by itself after the TTL, so a crashed run never
// blocks the next one for long.
type lease struct {
	st     store.Store // the log's store
	holder string
	etag   string
}

type leaseBody struct {
	Holder  string `json:"holder"`
	Expires int64  `json:"expires"` // Unix ms; 0 when released
}

// acquireLease takes the lease if it is absent, released, expired, or ours.
func acquireLease(ctx context.Context, st store.Store, now time.Time, ttl time.Duration) (*lease, error) {
	var id [8]byte
	rand.Read(id[:])
	host, _ := os.Hostname()
	l := &lease{st: st, holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(id[:]))}
	etag := ""
	cur, err := st.Get(ctx, layout.Lock)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading lease: %w", err)
	default:
		var b leaseBody
		if json.Unmarshal(cur.Data, &b) == nil && b.Expires > now.UnixMilli() {
			return nil, fmt.Errorf("%w (%s, until %s)", ErrLeaseHeld, b.Holder, time.UnixMilli(b.Expires).UTC().Format(time.RFC3339))
		}
		etag = cur.ETag
	}
	body, _ := json.Marshal(leaseBody{Holder: l.holder, Expires: now.Add(ttl).UnixMilli()})
	if err := st.Swap(ctx, layout.Lock, etag, body, md(layout.MDLock)); err != nil {
		// The swap may have landed all the same: its answer was lost, or a
		// retried request saw its own first attempt. The body names this
		// run alone, so finding it stored means the lease is ours.
		if got, gerr := st.Get(ctx, layout.Lock); gerr == nil && bytes.Equal(got.Data, body) {
			l.etag = got.ETag
			return l, nil
		}
		if errors.Is(err, store.ErrPrecondition) {
			return nil, fmt.Errorf("%w (taken while we looked)", ErrLeaseHeld)
		}
		return nil, fmt.Errorf("taking lease: %w", err)
	}
	got, err := st.Get(ctx, layout.Lock)
	if err != nil {
		return nil, fmt.Errorf("reading back lease: %w", err)
	}
	l.etag = got.ETag
	return l, nil
}

// renew extends the lease to now+ttl just before the checkpoint swap, so
// that a run that outlived its lease finds out (another publisher may
// have taken it) and stops short of committing: ErrLeaseHeld, exit 3.
func (l *lease) renew(ctx context.Context, now time.Time, ttl time.Duration) error {
	body, _ := json.Marshal(leaseBody{Holder: l.holder, Expires: now.Add(ttl).UnixMilli()})
	// Any failure stops the run short of committing: the swap also makes
	// the run's earlier writes durable, and reports their failures. (Its
	// body may equal the stored one, so a lost answer cannot be told from
	// a refusal by reading back, as taking the lease does.)
	if err := l.st.Swap(ctx, layout.Lock, l.etag, body, md(layout.MDLock)); err != nil {
		if errors.Is(err, store.ErrPrecondition) {
			return fmt.Errorf("%w: our lease ran out and another publisher took it; nothing committed", ErrLeaseHeld)
		}
		return fmt.Errorf("renewing lease: %w", err)
	}
	got, err := l.st.Get(ctx, layout.Lock)
	if err != nil {
		return fmt.Errorf("reading back lease: %w", err)
	}
	l.etag = got.ETag
	return nil
}

// release gives the lease up, so the next run need not wait for it to
// expire. A failure only delays the next run until the TTL passes.
func (l *lease) release(ctx context.Context) error {
	body, _ := json.Marshal(leaseBody{Holder: l.holder, Expires: 0})
	if err := l.st.Swap(ctx, layout.Lock, l.etag, body, md(layout.MDLock)); err != nil {
		return fmt.Errorf("releasing lease: %w", err)
	}
	return nil
}
