package s3client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Location
	}{
		{"s3://bucket", Location{Bucket: "bucket"}},
		{"s3://bucket/", Location{Bucket: "bucket"}},
		{"S3://bucket/site", Location{Bucket: "bucket", Prefix: "site/"}},
		{"s3://bucket/a/b/", Location{Bucket: "bucket", Prefix: "a/b/"}},
		{"s3://b/p?region=eu-west-1", Location{Bucket: "b", Prefix: "p/", Region: "eu-west-1"}},
		{"s3://b?endpoint=http://127.0.0.1:9000&use_path_style=true&region=auto",
			Location{Bucket: "b", Endpoint: "http://127.0.0.1:9000", PathStyle: true, Region: "auto"}},
		{"s3://b?use_path_style=false", Location{Bucket: "b"}},
		{"s3://b/with%20space", Location{Bucket: "b", Prefix: "with space/"}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "bucket/prefix", "https://bucket/x", "s3:bucket", "s3://", "s3:///prefix",
		"s3://user:pw@bucket/", "s3://bucket:9000/", "s3://bucket/#frag", "s3://bucket/a//b",
		"s3://bucket?region=a&region=b", "s3://bucket?colour=blue", "s3://bucket?use_path_style=maybe",
		"s3://bucket?endpoint=ftp://x", "s3://bucket?endpoint=", "s3://bucket?%zz", "s3://%zz",
	} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, got)
		} else if !errors.Is(err, ErrLocation) {
			t.Errorf("Parse(%q): %v does not wrap ErrLocation", in, err)
		}
	}
}

// FuzzParse checks that a parsed location prints as a URL that parses back
// to it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"s3://b/p?region=r&endpoint=http://h:1&use_path_style=true", "s3://b", "s3://b/a/b/c/", "s3://b/%41?region=%20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		loc, err := Parse(in)
		if err != nil {
			return
		}
		again, err := Parse(loc.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, whose String %q does not parse: %v", in, loc, loc.String(), err)
		}
		if again != loc {
			t.Fatalf("round trip of %q: %+v became %+v", in, loc, again)
		}
	})
}

func TestCounter(t *testing.T) {
	var c Counter
	for _, op := range []string{"GetObject", "PutObject", "PutObject", "ListObjectsV2", "HeadObject", "CreateBucket"} {
		c.Add(kindOf(op))
	}
	got := c.Snapshot()
	want := map[string]int64{"GET": 1, "PUT": 2, "LIST": 1, "HEAD": 1, "OTHER": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Snapshot() = %v, want %v", got, want)
	}
	var empty Counter
	if _, ok := empty.Snapshot()["OTHER"]; ok {
		t.Error("OTHER listed while zero")
	}
}

func TestCutShort(t *testing.T) {
	for err, want := range map[error]aws.Ternary{
		&url.Error{Op: "Put", URL: "u", Err: io.EOF}:              aws.TrueTernary,
		&url.Error{Op: "Put", URL: "u", Err: io.ErrUnexpectedEOF}: aws.TrueTernary,
		io.EOF: aws.UnknownTernary, // not from a request
		&url.Error{Op: "Put", URL: "u", Err: context.Canceled}: aws.UnknownTernary,
	} {
		if got := cutShort(err); got != want {
			t.Errorf("cutShort(%v) = %v, want %v", err, got, want)
		}
	}
}
