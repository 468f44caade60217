package publish_test

import (
	"context"
	"testing"
	"time"

	"stele/publish"
	"stele/source"
)

// shortListing lists the proof of one epoch as one byte shorter than it
// is, as a hostile listing, or an object replaced since, would.
type shortListing struct {
	source.Source
	epoch uint64
}

func (s shortListing) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	objs, err := s.Source.List(ctx, epoch)
	for i := range objs {
		if objs[i].Epoch == s.epoch {
			objs[i].Size--
		}
	}
	return objs, err
}

// TestProofLargerThanListed: a proof holding more bytes than its listing
// says is read no further than listed (the bytes in flight are what the
// memory bound counted) and is unchecked, not verified nor a violation.
func TestProofLargerThanListed(t *testing.T) {
	s := newJobSite(t, 6, specWA)
	a := s.rootOf("wa")
	short := a.Epoch + 3
	opts := publish.Options{Now: func() time.Time { return s.now }, Logger: s.logger,
		OpenSource: func(loc string) (source.Source, error) {
			src, err := source.Open(loc)
			return shortListing{src, short}, err
		}}
	job, err := publish.NewJob(s.config(), s.openStore(), s.signer, opts)
	if err != nil {
		t.Fatal(err)
	}
	n := wantResult(t, job.Run(context.Background()), "wa", publish.ResultUnchecked, 3)
	if n.EpochsVerified != 2 || n.Violations != 0 {
		t.Errorf("verified %d epochs, %d violations; want the 2 before epoch %d, none", n.EpochsVerified, n.Violations, short)
	}
}
