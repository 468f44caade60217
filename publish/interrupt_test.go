package publish_test

import (
	"context"
	"testing"
	"time"

	"stele/publish"
	"stele/source"
)

// TestInterruptedRunExitCode: a signal (the run's context cancelled)
// while a proof is being fetched is not the time budget running out: the
// run publishes what it did but exits 3, as epochs are left.
func TestInterruptedRunExitCode(t *testing.T) {
	s := newJobSite(t, 8, specWA)
	a := s.rootOf("wa")
	stall := a.Epoch + 4
	opts := publish.Options{OpenSource: func(loc string) (source.Source, error) {
		src, err := source.Open(loc)
		return stallingSource{src, stall}, err
	}}
	opts.Now = func() time.Time { return s.now }
	opts.Logger = s.logger
	job, err := publish.NewJob(s.config(), s.openStore(), s.signer, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel) // SIGTERM
	sum := job.Run(ctx)
	n := sum.Namespaces[0]
	if sum.ExitCode != 3 || n.Result != publish.ResultUnchecked {
		t.Errorf("an interrupted run (epochs %d.. left): exit %d, result %s (%q), want 3", stall, sum.ExitCode, n.Result, n.Error)
	}
}
