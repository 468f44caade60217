package s3e2e

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"stele/internal/s3test"
)

// fixedNow is the clock of the runs that are compared byte for byte.
const fixedNow = "2026-03-01T12:00:00Z"

// With 30% of requests failing (500, 503 SlowDown, resets before and after
// the server acted, latency) between stele and the server, for the site
// and for the s3:// source alike, runs complete (or exit 3 and a later run
// completes), and with a fixed clock the site holds exactly the bytes of a
// clean run.
func TestPublishThroughFaults(t *testing.T) {
	w := newWorld(t)
	w.now = fixedNow
	srcBucket := w.srv.NewBucket(t)
	clean := w.srv.NewBucket(t)
	faulty := w.srv.NewBucket(t)
	src := w.gen("wa", 12)
	w.upload(src, srcBucket, "p/")
	root := w.anchor(src)
	proxy := s3test.NewProxy(t, w.srv.Endpoint, s3test.ProxyOptions{Rate: 0.3, Seed: 7, Jitter: 5 * time.Millisecond})

	// Two runs of 8 then 4 epochs each, so that the second starts from a
	// partial tile.
	cleanCfg := w.config("clean", w.srv.URL(clean, "site"), ns{name: "wa", source: w.srv.URL(srcBucket, "p/"), root: root, maxEpochs: 8})
	faultyCfg := w.config("faulty", w.srv.URLVia(proxy.URL, faulty, "site"),
		ns{name: "wa", source: w.srv.URLVia(proxy.URL, srcBucket, "p/"), root: root, maxEpochs: 8})
	for range 2 {
		w.publish(cleanCfg, 0)
	}
	runs, threes := 0, 0
	for size := int64(0); size < 13; {
		runs++
		if runs > 8 {
			t.Fatalf("no progress after %d runs through the faults", runs-1)
		}
		sum, r := w.publish(faultyCfg, 0, 3)
		if r.code == 3 {
			threes++
			t.Logf("run %d exited 3: %s", runs, strings.TrimSpace(r.stderr))
			continue
		}
		size = sum.Namespaces[0].LogSize
	}
	if proxy.Faults() == 0 {
		t.Fatal("the proxy injected no fault")
	}
	want := w.objects(clean, "site/")
	got := w.objects(faulty, "site/")
	for _, m := range []map[string][]byte{want, got} {
		delete(m, "logs/wa/lock") // names its holder
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("the faulty run's keys differ:\n got %q\nwant %q", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Errorf("%s differs from the clean run's", k)
		}
	}
	w.verify(w.srv.URL(faulty, "site"), 0)
	t.Logf("%d runs (%d exited 3), faults injected: %v", runs, threes, proxy.Counts())
}

// An immutable object changed behind stele's back: the run that would
// write it stops with an error naming the key, and overwrites nothing.
func TestImmutableChangedBehindOurBack(t *testing.T) {
	w := newWorld(t)
	w.now = fixedNow
	src := w.gen("wa", 6)
	root := w.anchor(src)
	ref, site := w.srv.NewBucket(t), w.srv.NewBucket(t)
	refCfg := w.config("ref", w.srv.URL(ref, ""), ns{name: "wa", source: src, root: root, maxEpochs: 3})
	cfg := w.config("site", w.srv.URL(site, ""), ns{name: "wa", source: src, root: root, maxEpochs: 3})
	w.publish(refCfg, 0)
	before := w.objects(ref, "")
	w.publish(refCfg, 0)
	after := w.objects(ref, "")
	w.publish(cfg, 0)
	// The audit of an epoch the second run appends: immutable, and
	// outside the log's tiles.
	var key string
	for k := range after {
		if _, ok := before[k]; !ok && strings.Contains(k, "/audits/") {
			key = k
			break
		}
	}
	if key == "" {
		t.Fatal("the second run writes no new audit object")
	}
	forged := []byte(`{"forged":true}` + "\n")
	w.put(site, key, forged)
	checkpoint := w.get(site, "logs/wa/checkpoint")
	r := w.run(nil, "publish", "-c", cfg, "-json", "-q")
	if r.code == 0 {
		t.Fatalf("publish over a changed immutable object succeeded: %s", r)
	}
	if !strings.Contains(r.stdout+r.stderr, key) {
		t.Errorf("the error does not name %s: %s", key, r)
	}
	if got := w.get(site, key); !bytes.Equal(got, forged) {
		t.Fatalf("%s was overwritten", key)
	}
	if got := w.get(site, "logs/wa/checkpoint"); !bytes.Equal(got, checkpoint) {
		t.Fatal("the checkpoint moved although a write failed")
	}
	t.Logf("publish exited %d", r.code)
}
