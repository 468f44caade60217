package s3e2e

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/internal/s3client"
	"stele/internal/s3test"
	"stele/publish"
	"stele/store"
)

// inProcess publishes a simulated directory to an S3 store from this
// process, so that the store's request counts can be read.
type inProcess struct {
	tb     testing.TB
	srv    *s3test.Server
	src    string
	site   string // s3:// location
	signer *checkpoint.Signer
	params akdsim.Params
	now    time.Time
}

func newInProcess(tb testing.TB, srv *s3test.Server) *inProcess {
	tb.Helper()
	cfg, err := akd.ParseConfig(akd.NameWhatsAppV1, "")
	if err != nil {
		tb.Fatal(err)
	}
	skey, _, err := checkpoint.GenerateKey(rand.Reader, origin)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := checkpoint.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return &inProcess{
		tb: tb, srv: srv, src: filepath.Join(tb.TempDir(), "wa"), site: srv.URL(srv.NewBucket(tb), "site"),
		signer: signer, params: akdsim.Params{Config: cfg, Seed: 3, Start: 700, Users: 16},
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

// extend adds epochs to the simulated directory.
func (p *inProcess) extend(epochs int) {
	p.tb.Helper()
	if _, err := akdsim.Extend(p.src, p.params, epochs, 3); err != nil {
		p.tb.Fatal(err)
	}
}

// run publishes at most max epochs and returns the summary and the site
// store's S3 requests by kind.
func (p *inProcess) run(max int) (publish.Summary, map[string]int64) {
	p.tb.Helper()
	root, err := os.ReadFile(filepath.Join(p.src, "root"))
	if err != nil {
		p.tb.Fatal(err)
	}
	cfg := publish.Config{Origin: origin, Site: p.site, Key: "unused", Workers: 2, Namespaces: []publish.Namespace{{
		Name: "wa", Source: p.src, Configuration: akd.NameWhatsAppV1, Root: strings.TrimSpace(string(root)), MaxEpochsPerRun: max,
	}}}
	if err := cfg.Validate(); err != nil {
		p.tb.Fatal(err)
	}
	scfg := p.srv.Config()
	st, err := store.OpenS3(context.Background(), p.site, store.S3Options{Client: s3clientOptions(&scfg)})
	if err != nil {
		p.tb.Fatal(err)
	}
	p.now = p.now.Add(time.Minute)
	now := p.now
	job, err := publish.NewJob(cfg, st, p.signer, publish.Options{Now: func() time.Time { return now }})
	if err != nil {
		p.tb.Fatal(err)
	}
	sum := job.Run(context.Background())
	if sum.ExitCode != 0 {
		p.tb.Fatalf("publish: %+v", sum)
	}
	return sum, st.Requests()
}

// The site store's requests per run do not grow with the log: a run reads
// the checkpoint and the log's right edge, whatever the log's size, and
// writes each new object once.
func TestSiteRequestsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes 300 epochs")
	}
	p := newInProcess(t, s3test.Start(t))
	p.extend(300)
	p.run(8)
	_, small := p.run(4) // log of 9 -> 13
	p.run(0)             // to 301
	p.extend(4)
	_, large := p.run(4) // log of 301 -> 305
	t.Logf("requests of a 4-epoch run at size 9: %v; at size 301: %v", small, large)
	// The right edge of a log of 301 entries has one more level of hash
	// tiles than one of 13: a few more reads, not hundreds.
	for _, kind := range []string{"GET", "LIST", "HEAD"} {
		if large[kind] > small[kind]+4 {
			t.Errorf("%s requests grew with the log: %d at size 9, %d at size 301", kind, small[kind], large[kind])
		}
	}
	if large["PUT"] > small["PUT"]+4 {
		t.Errorf("PUT requests grew with the log: %d at size 9, %d at size 301", small["PUT"], large["PUT"])
	}
	_, idle := p.run(4)
	t.Logf("requests of a run with nothing new: %v", idle)
	if total(idle) > total(small) {
		t.Errorf("a run with nothing new sent %d requests, more than one that appended (%d)", total(idle), total(small))
	}
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkPublishS3 publishes b.N epochs to the local S3 server, 16 per
// run, and reports epochs/s and the site store's requests per epoch.
func BenchmarkPublishS3(b *testing.B) {
	srv := s3test.Start(b)
	p := newInProcess(b, srv)
	p.extend(b.N)
	b.ResetTimer()
	start := time.Now()
	req := map[string]int64{}
	published := 0
	for published < b.N {
		sum, r := p.run(16)
		n := sum.Namespaces[0].EpochsVerified
		if n == 0 {
			b.Fatalf("a run appended nothing at %d of %d", published, b.N)
		}
		published += n
		for k, v := range r {
			req[k] += v
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "epochs/s")
	b.ReportMetric(float64(total(req))/float64(b.N), "requests/epoch")
	b.ReportMetric(float64(req["PUT"])/float64(b.N), "PUT/epoch")
	b.ReportMetric(float64(req["GET"])/float64(b.N), "GET/epoch")
	b.ReportMetric(float64(req["LIST"])/float64(b.N), "LIST/epoch")
}

// s3clientOptions returns client options with the server's configuration.
func s3clientOptions(cfg *aws.Config) s3client.Options { return s3client.Options{Config: cfg} }
