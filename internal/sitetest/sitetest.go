// Package sitetest publishes small stele sites for tests: a simulated AKD
// directory, grown by some epochs, published by the batch job into a site
// directory at a fixed time. It is shared by the tests of several
// packages, so it lives in a non-test file.
package sitetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/publish"
	"stele/store"
)

// Origin is the base origin of every test site; its one namespace is "ns".
const Origin = "test.example/stele"

// DefaultParams is the simulated directory unless a test asks otherwise.
var DefaultParams = akdsim.Params{Config: akd.WhatsAppV1(), Seed: 7, Start: 50, Users: 50}

// Run describes one publish run.
type Run struct {
	Source  string // the simulated directory, created on first use
	Site    string // the site directory
	Signer  *checkpoint.Signer
	Params  akdsim.Params // zero: DefaultParams
	Epochs  int           // epochs the directory grows by before the run
	Updates int           // updates per epoch (zero: 5)
	Now     time.Time     // the job's clock (zero: a fixed date)
}

// Publish grows the simulated directory by r.Epochs and runs the batch job
// once over it, failing the test unless the run exits 0.
func Publish(t testing.TB, r Run) publish.Summary {
	t.Helper()
	params := r.Params
	if params == (akdsim.Params{}) {
		params = DefaultParams
	}
	updates := r.Updates
	if updates == 0 {
		updates = 5
	}
	now := r.Now
	if now.IsZero() {
		now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	}
	if _, err := akdsim.Extend(r.Source, params, r.Epochs, updates); err != nil {
		t.Fatal(err)
	}
	root, err := os.ReadFile(filepath.Join(r.Source, "root"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := publish.Config{Origin: Origin, Key: "unused", Namespaces: []publish.Namespace{{
		Name: "ns", Source: r.Source, Configuration: params.Config.Name(), Domain: params.Config.Domain(),
		Root: strings.TrimSpace(string(root)),
	}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := store.NewDir(r.Site)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	job, err := publish.NewJob(cfg, st, r.Signer, publish.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	sum := job.Run(context.Background())
	if sum.ExitCode != 0 {
		t.Fatalf("publish: %+v", sum)
	}
	return sum
}
