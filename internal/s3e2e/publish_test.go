package s3e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Publish to a bucket from an s3:// source and from a bucket's public
// HTTPS listing, verify through s3://, then over anonymous HTTP from the
// server's endpoint once the bucket is public; a flipped byte fails both.
func TestPublishVerifyS3(t *testing.T) {
	w := newWorld(t)
	srcBucket := w.srv.NewBucket(t)
	pubBucket := w.srv.NewBucket(t)
	siteBucket := w.srv.NewBucket(t)
	wa := w.gen("wa", 5)
	w.upload(wa, srcBucket, "whatsapp/")
	ms := w.gen("ms", 4)
	w.upload(ms, pubBucket, "")
	w.srv.MakePublic(t, pubBucket)

	site := w.srv.URL(siteBucket, "site")
	cfg := w.config("stele", site,
		ns{name: "wa", source: w.srv.URL(srcBucket, "whatsapp/"), root: w.anchor(wa)},
		ns{name: "ms", source: w.srv.BucketURL(pubBucket), root: w.anchor(ms)},
	)
	sum, _ := w.publish(cfg, 0)
	if sum.appended() != 9 {
		t.Fatalf("appended %d epochs, want 9: %+v", sum.appended(), sum)
	}
	// The summary counts the S3 requests really sent, for the site store
	// and for each source (an s3:// one and an https:// listing one).
	for _, n := range sum.Namespaces {
		if n.Requests["PUT"] == 0 || n.Requests["GET"] == 0 || n.SourceRequests["LIST"] == 0 || n.SourceRequests["GET"] == 0 {
			t.Errorf("namespace %s: requests %v, source requests %v: want site PUTs and GETs, source LISTs and GETs", n.Name, n.Requests, n.SourceRequests)
		}
	}

	// Objects carry the metadata of the spec's object table.
	objs := w.objects(siteBucket, "site/")
	var bundle, tile string
	for k := range objs {
		switch {
		case strings.HasPrefix(k, "logs/wa/tile/entries/"):
			bundle = k
		case strings.HasPrefix(k, "logs/wa/tile/0/"):
			tile = k
		}
	}
	if bundle == "" || tile == "" {
		t.Fatalf("no entry bundle or hash tile among %d objects", len(objs))
	}
	for key, want := range map[string][3]string{
		"logs/wa/checkpoint": {"text/plain; charset=utf-8", "no-cache", ""},
		bundle:               {"application/octet-stream", "public, max-age=31536000, immutable", "gzip"},
		tile:                 {"application/octet-stream", "public, max-age=31536000, immutable", ""},
	} {
		h, err := w.srv.Client().HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(siteBucket), Key: aws.String("site/" + key)})
		if err != nil {
			t.Fatal(err)
		}
		got := [3]string{aws.ToString(h.ContentType), aws.ToString(h.CacheControl), aws.ToString(h.ContentEncoding)}
		if got != want {
			t.Errorf("%s: Content-Type, Cache-Control, Content-Encoding = %q, want %q", key, got, want)
		}
	}

	v := w.verify(site, 0)
	if len(v.Logs) != 2 {
		t.Fatalf("verify found %d logs, want 2: %+v", len(v.Logs), v)
	}
	for _, l := range v.Logs {
		if l.Result != "ok" {
			t.Errorf("log %s: %s %s", l.Origin, l.Result, l.Error)
		}
	}
	// Nothing new: a second run succeeds and appends nothing.
	if sum, _ := w.publish(cfg, 0); sum.appended() != 0 {
		t.Fatalf("a run with nothing new appended %d epochs", sum.appended())
	}

	// Over anonymous HTTP: refused while private, verified once public.
	public := w.srv.BucketURL(siteBucket) + "/site"
	w.run(nil, "verify", public, "-vkey", w.vkey) // whatever it says while private
	if r := w.run(nil, "verify", public, "-vkey", w.vkey); r.code == 0 {
		t.Fatalf("verify over HTTP of a private bucket succeeded: %s", r)
	}
	w.srv.MakePublic(t, siteBucket)
	v = w.verify(public, 0)
	if len(v.Logs) != 2 {
		t.Fatalf("verify over HTTP found %d logs, want 2", len(v.Logs))
	}
	w.verify(w.srv.BucketURL(siteBucket)+"/site/logs/wa", 0)

	// Negative controls: one flipped byte in a (gzip) entry bundle fails
	// verification through s3://, one in a hash tile through both routes.
	// (Over HTTP, Go's client decodes gzip itself, so a damaged bundle
	// there reads as a failed transfer, exit 3, rather than as evidence.)
	flip := func(key string) {
		data := bytes.Clone(objs[key])
		data[len(data)/2] ^= 1
		w.put(siteBucket, "site/"+key, data)
	}
	flip(bundle)
	w.verify(site, 1)
	w.put(siteBucket, "site/"+bundle, objs[bundle])
	w.verify(site, 0)
	flip(tile)
	w.verify(site, 1)
	w.verify(public, 1)
}
