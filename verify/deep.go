package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"stele/akd"
	"stele/record"
	"stele/source"
)

// Sampler picks a sample of the items offered to it (records to
// re-verify deeply, audit objects to check): all of them, N of them (a
// uniform reservoir sample), or P percent (each independently). The
// choice follows a seeded generator, so a sample printed with its seed
// can be repeated exactly.
type Sampler[T any] struct {
	all     bool
	n       int
	percent float64
	rng     *rand.Rand
	seen    int64
	picked  []T
}

// NewSampler parses "all", "N" or "P%".
func NewSampler[T any](spec string, seed uint64) (*Sampler[T], error) {
	s := &Sampler[T]{rng: rand.New(rand.NewPCG(seed, seed^0x5345_4c45))}
	switch {
	case spec == "all":
		s.all = true
	case strings.HasSuffix(spec, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(spec, "%"), 64)
		if err != nil || p <= 0 || p > 100 {
			return nil, fmt.Errorf("%q: want a percentage in (0, 100]", spec)
		}
		s.percent = p
	default:
		n, err := strconv.Atoi(spec)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: want all, a count, or a percentage such as 5%%", spec)
		}
		s.n = n
	}
	return s, nil
}

// Offer considers one item, in order.
func (s *Sampler[T]) Offer(x T) {
	s.seen++
	switch {
	case s.all:
		s.picked = append(s.picked, x)
	case s.percent > 0:
		if s.rng.Float64()*100 < s.percent {
			s.picked = append(s.picked, x)
		}
	case len(s.picked) < s.n:
		s.picked = append(s.picked, x)
	default:
		if j := s.rng.Int64N(s.seen); j < int64(s.n) {
			s.picked[j] = x
		}
	}
}

// Sample is the items picked, in the order they were offered for the
// "all" and percentage modes.
func (s *Sampler[T]) Sample() []T { return s.picked }

// DeepCheck fetches each record's proof object from src again (verified
// records only), checks that its size and SHA-256 are the ones recorded,
// and verifies the AKD step it proves. A proof that is not what the record says, or does not verify,
// is a Failure (the log vouches for something the proof does not show); an
// object that cannot be fetched is an unchecked error. It checks up to
// workers proofs at once and reports every epoch it checked to done.
func DeepCheck(ctx context.Context, src source.Source, recs []*record.Record, workers int, done func(epoch uint64, err error)) error {
	return checkAll(ctx, recs, workers, func(ctx context.Context, rec *record.Record) error {
		err := deepOne(ctx, src, rec)
		if done != nil {
			done(rec.Epoch, err)
		}
		return err
	})
}

// checkAll runs check on every item, up to workers at once, and returns
// the first [*Failure], else the first other error. After a failure the
// items not yet started are skipped: the verdict is known.
func checkAll[T any](ctx context.Context, items []T, workers int, check func(context.Context, T) error) error {
	var (
		mu      sync.Mutex
		failure error
		retry   error
		wg      sync.WaitGroup
		slots   = make(chan struct{}, max(workers, 1))
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, x := range items {
		slots <- struct{}{}
		if ctx.Err() != nil {
			<-slots
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			err := check(ctx, x)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
			case IsFailure(err):
				if failure == nil {
					failure = err
					cancel()
				}
			case retry == nil:
				retry = err
			}
		}()
	}
	wg.Wait()
	if failure != nil {
		return failure
	}
	if retry != nil {
		return retry
	}
	return ctx.Err() // the caller's: only a failure cancels ctx here
}

func deepOne(ctx context.Context, src source.Source, rec *record.Record) error {
	if len(rec.Proofs) != 1 {
		return failf(fmt.Sprintf("epoch %d", rec.Epoch), "a verified record names %d proofs", len(rec.Proofs))
	}
	p := rec.Proofs[0]
	where := "proof " + p.Name
	cfg, err := akd.ParseConfig(rec.Configuration, rec.Domain)
	if err != nil {
		return failf(where, "record's configuration: %v", err)
	}
	var prev, cur [32]byte
	if err := decodeDigest(rec.PreviousDigest, &prev); err != nil {
		return failf(where, "previous_digest: %v", err)
	}
	if err := decodeDigest(rec.Digest, &cur); err != nil {
		return failf(where, "digest: %v", err)
	}
	rc, err := src.Open(ctx, p.Name)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", p.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	n := &counter{}
	body := io.TeeReader(source.LimitReader(rc, p.Size+1), io.MultiWriter(h, n))
	_, verr := akd.Verify(ctx, body, cfg, rec.Epoch, prev, cur, &akd.Options{Workers: 1})
	if _, err := io.Copy(io.Discard, body); err != nil {
		if errors.Is(err, source.ErrTooLarge) {
			return failf(where, "the object is larger than the %d bytes the record of epoch %d says", p.Size, rec.Epoch)
		}
		return fmt.Errorf("reading %s: %w", p.Name, err)
	}
	if n.n != p.Size || hex.EncodeToString(h.Sum(nil)) != p.SHA256 {
		return failf(where, "the object is %d bytes with SHA-256 %x; the record of epoch %d says %d bytes, %s", n.n, h.Sum(nil), rec.Epoch, p.Size, p.SHA256)
	}
	if verr != nil {
		return failf(where, "the record of epoch %d says verified, but the proof does not verify: %v", rec.Epoch, verr)
	}
	return nil
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func decodeDigest(s string, out *[32]byte) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return fmt.Errorf("%q is not a 32-byte hex digest", s)
	}
	copy(out[:], b)
	return nil
}
