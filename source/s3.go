package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"stele/internal/s3client"
)

// S3 is a [Source] in an S3 bucket (or an S3-compatible service) under a
// key prefix, read through the AWS SDK: List is a paginated ListObjectsV2
// of "<prefix><epoch>/", Open a GetObject.
//
// Credentials come from the standard AWS chain; when it has none, requests
// are sent unsigned, which is how a public bucket (WhatsApp's, Messenger's)
// is read. Requests are retried by the SDK (backoff for 5xx, SlowDown,
// timeouts and connection errors); reading an opened object is not.
type S3 struct {
	client   *s3.Client
	counter  *s3client.Counter
	bucket   string
	prefix   string // "" or ending in "/"
	location string
}

var _ Source = (*S3)(nil)

// OpenS3 returns the source at an s3:// location,
// s3://BUCKET/PREFIX?region=R&endpoint=URL&use_path_style=true (stele.md,
// "S3 locations"). opts.AnonymousFallback is set unless opts.Anonymous is:
// a source with no credentials reads the bucket anonymously. It may take
// a few seconds to find out that the credential chain has nothing; it
// makes no request to the bucket.
func OpenS3(ctx context.Context, location string, opts s3client.Options) (*S3, error) {
	loc, err := s3client.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if !opts.Anonymous {
		opts.AnonymousFallback = true
	}
	client, counter, err := s3client.New(ctx, loc, opts)
	if err != nil {
		return nil, fmt.Errorf("source: opening %s: %w", location, err)
	}
	return &S3{client: client, counter: counter, bucket: loc.Bucket, prefix: loc.Prefix, location: location}, nil
}

// Location returns the s3:// location the source was opened with.
func (s *S3) Location() string { return s.location }

// URL returns "": a bucket reached through the SDK has no public URL that
// the source knows of (configure the bucket's https:// URL for that).
func (s *S3) URL(name string) string { return "" }

// Requests returns the HTTP requests sent so far, retries included, by
// kind: "GET", "PUT", "LIST", "HEAD" (and "OTHER" when not zero).
func (s *S3) Requests() map[string]int64 { return s.counter.Snapshot() }

// List implements [Source.List].
func (s *S3) List(ctx context.Context, epoch uint64) ([]Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("source: listing epoch %d in %s: %w", epoch, s.location, err)
	}
	ep := strconv.FormatUint(epoch, 10) + "/"
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + ep),
	})
	var objs []Object
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("source: listing epoch %d in %s: %w", epoch, s.location, err)
		}
		for _, o := range page.Contents {
			size := int64(-1)
			if o.Size != nil {
				size = *o.Size
			}
			if obj, ok := listed(aws.ToString(o.Key), s.prefix, epoch, size); ok && !seen[obj.Name] {
				seen[obj.Name] = true
				objs = append(objs, obj)
			}
		}
	}
	return objs, nil
}

// listed turns a listed key into an object of epoch, if it is one.
func listed(key, prefix string, epoch uint64, size int64) (Object, bool) {
	name, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return Object{}, false
	}
	k, err := ParseKey(name)
	if err != nil || k.Epoch != epoch {
		return Object{}, false
	}
	return Object{Key: k, Name: name, Size: size}, true
}

// Open implements [Source.Open].
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := ParseKey(name); err != nil {
		return nil, fmt.Errorf("source: opening %q in %s: %w", name, s.location, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("source: opening %s in %s: %w", name, s.location, err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + name)})
	if err != nil {
		if s3NotFound(err) {
			err = fs.ErrNotExist
		}
		return nil, fmt.Errorf("source: opening %s in %s: %w", name, s.location, err)
	}
	return out.Body, nil
}

// s3NotFound reports an answer saying that the object is not there (a
// key that is only a directory on a filesystem-backed service included).
func s3NotFound(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound") {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound &&
		(ae == nil || ae.ErrorCode() != "NoSuchBucket")
}
