package site_test

import (
	"context"
	"crypto/rand"
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

const evil = `<script>alert(1)</script>`

// demoSite is a published site built as `stele publish` builds one.
type demoSite struct {
	dir    string // the site root
	vkey   string // the auditor's verifier key
	origin string
	wa, ex string // the proof directories
	cfg    publish.Config
	signer *checkpoint.Signer
}

// publish runs the job once over st (the site directory, or a wrapper of
// it) and requires success.
func (d demoSite) publish(t testing.TB, st store.Store) {
	t.Helper()
	job, err := publish.NewJob(d.cfg, st, d.signer, publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := job.Run(context.Background()); sum.ExitCode != 0 {
		t.Fatalf("publish: %+v", sum)
	}
}

// extend adds epochs to a proof directory.
func extend(t testing.TB, dir string, epochs int) {
	t.Helper()
	if _, err := akdsim.Extend(dir, akdsim.Params{}, epochs, 1); err != nil {
		t.Fatal(err)
	}
}

// buildDemoSite publishes two namespaces in two runs: "wa" (whatsapp_v1,
// ciphersuite 1) with waEpochs epochs then 5 more, and "ex" (experimental,
// ciphersuite 2) whose domain label and the site's title are markup.
func buildDemoSite(t testing.TB, waEpochs int) demoSite {
	t.Helper()
	tmp := t.TempDir()
	wa, ex, dir := filepath.Join(tmp, "proofs", "wa"), filepath.Join(tmp, "proofs", "ex"), filepath.Join(tmp, "site")
	gen := func(d string, p akdsim.Params, epochs int) {
		t.Helper()
		if _, err := akdsim.Extend(d, p, epochs, 1); err != nil {
			t.Fatal(err)
		}
	}
	gen(wa, akdsim.Params{Config: akd.WhatsAppV1(), Seed: 1, Start: 722600, Users: 16}, waEpochs)
	gen(ex, akdsim.Params{Config: akd.Experimental(evil), Seed: 2, Start: 0, Users: 8}, 6)

	const origin = "demo.stele.test/kt"
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	root := func(d string) string {
		b, err := os.ReadFile(filepath.Join(d, "root"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	cfg := publish.Config{
		Origin: origin, Site: dir, Key: "unused", Title: evil,
		TimeBudget: publish.Duration{Duration: time.Minute},
		Namespaces: []publish.Namespace{
			{Name: "wa", Source: wa, Configuration: "whatsapp_v1", Root: root(wa)},
			{Name: "ex", Source: ex, Configuration: "experimental", Domain: evil, Root: root(ex), Ciphersuite: 2},
		},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := demoSite{dir: dir, vkey: vkey, origin: origin, wa: wa, ex: ex, cfg: cfg, signer: signer}
	d.publish(t, st)
	extend(t, wa, 5)
	extend(t, ex, 2)
	d.publish(t, st)
	return d
}
