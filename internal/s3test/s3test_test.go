package s3test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestServerBehaviour pins down what stele relies on from the server, so
// that a new versitygw release that changes it fails here first:
// conditional writes, the errors for keys that are also prefixes, and
// anonymous reads through a bucket policy.
func TestServerBehaviour(t *testing.T) {
	srv := Start(t)
	b := srv.NewBucket(t)
	c := srv.Client()
	ctx := t.Context()
	put := func(key, data string, mod func(*s3.PutObjectInput)) string {
		in := &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader([]byte(data))}
		if mod != nil {
			mod(in)
		}
		_, err := c.PutObject(ctx, in)
		return code(err)
	}
	ifNoneMatch := func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }
	ifMatch := func(etag string) func(*s3.PutObjectInput) {
		return func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) }
	}
	expect := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	expect("create", put("k", "one", ifNoneMatch), "")
	expect("create again", put("k", "two", ifNoneMatch), "PreconditionFailed")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(head.ETag)
	expect("swap, wrong ETag", put("k", "x", ifMatch(`"bogus"`)), "PreconditionFailed")
	expect("swap", put("k", "three", ifMatch(etag)), "")
	expect("swap, stale ETag", put("k", "four", ifMatch(etag)), "PreconditionFailed")
	expect("swap, no object", put("absent", "x", ifMatch(etag)), "NoSuchKey")
	expect("a", put("a", "a", nil), "")
	expect("a/b over a", put("a/b", "ab", nil), "ObjectParentIsFile")
	expect("c/d", put("c/d", "cd", nil), "")
	expect("c over c/d", put("c", "c", nil), "ExistingObjectIsDirectory")
	expect("create c over c/d", put("c", "c", ifNoneMatch), "ExistingObjectIsDirectory")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("c")})
	expect("get c", code(err), "NoSuchKey")

	get := func(path string) int {
		resp, err := http.Get(srv.BucketURL(b) + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/k"); s != http.StatusForbidden {
		t.Errorf("anonymous GET of a private bucket: %d, want 403", s)
	}
	srv.MakePublic(t, b)
	for path, want := range map[string]int{"/k": 200, "/missing": 404, "/?list-type=2&prefix=c&stele-nocache=1": 200} {
		if s := get(path); s != want {
			t.Errorf("anonymous GET %s: %d, want %d", path, s, want)
		}
	}
}

func TestProxyFaults(t *testing.T) {
	srv := Start(t)
	p := NewProxy(t, srv.Endpoint, ProxyOptions{Rate: 1, Faults: []Fault{InternalError}})
	resp, err := http.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	p.SetOnly(func(*http.Request) bool { return false })
	resp, err = http.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 500 {
		t.Error("a fault although none is allowed")
	}
	for _, f := range []Fault{ResetBefore, ResetAfter} {
		p := NewProxy(t, srv.Endpoint, ProxyOptions{Rate: 1, Faults: []Fault{f}})
		if _, err := http.Get(p.URL + "/"); err == nil {
			t.Errorf("%v: the request succeeded", f)
		}
	}
	if c := p.Counts(); c[InternalError] != 1 || c[Pass] != 1 {
		t.Errorf("Counts() = %v", c)
	}
}
