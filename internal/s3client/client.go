package s3client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// DefaultRegion is used when neither the location nor the AWS
// configuration names a region; S3-compatible services accept it.
const DefaultRegion = "us-east-1"

// DefaultMaxAttempts is how many times one request is tried (the first
// attempt and its retries) before its error is returned.
const DefaultMaxAttempts = 8

// Options adjust the client [New] builds. The zero value uses the standard
// AWS credential chain and stele's retry policy.
type Options struct {
	// Config, when set, is used instead of loading the default AWS
	// configuration (environment, shared files, instance role). Its
	// retryer is replaced by stele's unless KeepRetryer is set.
	Config *aws.Config
	// KeepRetryer keeps Config's retryer.
	KeepRetryer bool
	// MaxAttempts overrides DefaultMaxAttempts.
	MaxAttempts int
	// Anonymous sends unsigned requests, for public buckets.
	Anonymous bool
	// AnonymousFallback sends unsigned requests when the credential chain
	// finds no credentials: a public bucket needs none.
	AnonymousFallback bool
	// HTTPClient replaces the SDK's HTTP client.
	HTTPClient aws.HTTPClient
}

// New returns an S3 client for loc and the counter of the HTTP requests it
// makes.
//
// The retry policy is the SDK's standard retryer (exponential backoff with
// jitter) for 5xx answers, throttling (SlowDown), timeouts and connection
// errors, plus a response cut short (an unexpected EOF), up to MaxAttempts
// attempts per request, without the SDK's client-side retry quota (which
// would turn a burst of server errors into failures that were never
// tried).
func New(ctx context.Context, loc Location, opts Options) (*s3.Client, *Counter, error) {
	var cfg aws.Config
	if opts.Config != nil {
		cfg = opts.Config.Copy()
	} else {
		var lo []func(*config.LoadOptions) error
		if loc.Region != "" {
			lo = append(lo, config.WithRegion(loc.Region))
		}
		c, err := config.LoadDefaultConfig(ctx, lo...)
		if err != nil {
			return nil, nil, fmt.Errorf("s3client: loading the AWS configuration: %w", err)
		}
		cfg = c
	}
	if loc.Region != "" {
		cfg.Region = loc.Region
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if opts.Config == nil || !opts.KeepRetryer {
		attempts := opts.MaxAttempts
		if attempts <= 0 {
			attempts = DefaultMaxAttempts
		}
		cfg.Retryer = func() aws.Retryer { return NewRetryer(attempts) }
	}
	if opts.HTTPClient != nil {
		cfg.HTTPClient = opts.HTTPClient
	}
	switch {
	case opts.Anonymous:
		cfg.Credentials = aws.AnonymousCredentials{}
	case opts.AnonymousFallback:
		if !haveCredentials(ctx, cfg.Credentials) {
			cfg.Credentials = aws.AnonymousCredentials{}
		}
	}
	counter := &Counter{}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if loc.Endpoint != "" {
			o.BaseEndpoint = aws.String(loc.Endpoint)
		}
		o.UsePathStyle = loc.PathStyle
		o.APIOptions = append(o.APIOptions, counter.addMiddleware)
	})
	return client, counter, nil
}

// haveCredentials reports whether the credential chain yields credentials
// within a few seconds.
func haveCredentials(ctx context.Context, p aws.CredentialsProvider) bool {
	if p == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := p.Retrieve(ctx)
	return err == nil && c.HasKeys()
}

// NewRetryer returns stele's retryer: the SDK's standard one with
// maxAttempts attempts, backoff up to 5 s, no retry quota, and cut-short
// responses counted as retryable connection errors.
func NewRetryer(maxAttempts int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = 5 * time.Second
		o.RateLimiter = ratelimit.None
		o.Retryables = append(append([]retry.IsErrorRetryable(nil), o.Retryables...), retryable(cutShort))
	})
}

type retryable func(error) aws.Ternary

func (f retryable) IsErrorRetryable(err error) aws.Ternary { return f(err) }

// cutShort reports a connection that closed before a whole response
// arrived: the server may or may not have acted, exactly as after a reset.
func cutShort(err error) aws.Ternary {
	var uerr *url.Error
	if errors.As(err, &uerr) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// Request kinds counted by a [Counter].
const (
	KindGET   = "GET"
	KindPUT   = "PUT"
	KindLIST  = "LIST"
	KindHEAD  = "HEAD"
	KindOther = "OTHER"
)

// Counter counts the HTTP requests a client sends, retries included, by
// kind: GET (GetObject), PUT (PutObject), LIST (ListObjectsV2), HEAD
// (HeadObject) and OTHER. It is safe for concurrent use.
type Counter struct {
	get, put, list, head, other atomic.Int64
}

// Add counts one request of the given kind.
func (c *Counter) Add(kind string) {
	switch kind {
	case KindGET:
		c.get.Add(1)
	case KindPUT:
		c.put.Add(1)
	case KindLIST:
		c.list.Add(1)
	case KindHEAD:
		c.head.Add(1)
	default:
		c.other.Add(1)
	}
}

// Snapshot returns the counts so far, keyed by kind. GET, PUT, LIST and
// HEAD are always present; OTHER only when not zero.
func (c *Counter) Snapshot() map[string]int64 {
	m := map[string]int64{
		KindGET:  c.get.Load(),
		KindPUT:  c.put.Load(),
		KindLIST: c.list.Load(),
		KindHEAD: c.head.Load(),
	}
	if n := c.other.Load(); n != 0 {
		m[KindOther] = n
	}
	return m
}

// kindOf maps an S3 operation to the kind of request it sends.
func kindOf(op string) string {
	switch op {
	case "GetObject":
		return KindGET
	case "PutObject":
		return KindPUT
	case "ListObjectsV2", "ListObjects":
		return KindLIST
	case "HeadObject":
		return KindHEAD
	default:
		return KindOther
	}
}

// addMiddleware installs the counting step at the end of the finalize
// phase, after the retry loop, so that it runs once per attempt.
func (c *Counter) addMiddleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("stele-count-requests",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.Add(kindOf(awsmw.GetOperationName(ctx)))
			if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int32); ok {
				n.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

type attemptsKey struct{}

// WithAttempts returns a context whose requests through a client of [New]
// count their attempts in the returned counter: more than one means the
// SDK retried, so the first attempt may have reached the server and acted
// even though its answer was lost.
func WithAttempts(ctx context.Context) (context.Context, *atomic.Int32) {
	n := new(atomic.Int32)
	return context.WithValue(ctx, attemptsKey{}, n), n
}
