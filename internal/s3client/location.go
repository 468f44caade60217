// Package s3client is what stele's S3 store and S3 proof source share: the
// s3:// location syntax of stele.md ("S3 locations":
// s3://BUCKET/PREFIX?region=R&endpoint=URL&use_path_style=true, in the style
// of gocloud.dev), an SDK client built from the standard AWS credential
// chain with stele's retry policy, and counts of the HTTP requests made, by
// kind, for the publish job's summary.
package s3client

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ErrLocation is wrapped by every error of [Parse].
var ErrLocation = errors.New("s3client: invalid s3:// location")

// Location is a parsed s3:// URL.
type Location struct {
	Bucket string
	// Prefix is the key prefix inside the bucket: empty, or ending in "/".
	Prefix string
	// Region, Endpoint and PathStyle are the query parameters region,
	// endpoint and use_path_style; empty and false when absent.
	Region    string
	Endpoint  string
	PathStyle bool
}

// Parse parses s3://BUCKET[/PREFIX][?region=R&endpoint=URL&use_path_style=B].
// The prefix gets a trailing slash if it has none; its segments must be
// non-empty. Unknown or repeated query parameters are errors, so that a
// misspelt option is not silently ignored.
func Parse(raw string) (Location, error) {
	var loc Location
	bad := func(format string, args ...any) (Location, error) {
		return Location{}, fmt.Errorf("%w %q: %s", ErrLocation, raw, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("%v", err)
	}
	switch {
	case !strings.EqualFold(u.Scheme, "s3"):
		return bad("the scheme is not s3")
	case u.Opaque != "":
		return bad("want s3://BUCKET/PREFIX")
	case u.User != nil:
		return bad("credentials do not belong in the URL: use the AWS credential chain")
	case u.Fragment != "":
		return bad("a fragment is not allowed")
	case u.Host == "":
		return bad("no bucket")
	case u.Port() != "" || strings.Contains(u.Host, ":"):
		return bad("a bucket name has no port")
	}
	loc.Bucket = u.Host
	p := strings.TrimPrefix(u.Path, "/")
	if p != "" {
		p = strings.TrimSuffix(p, "/")
		for seg := range strings.SplitSeq(p, "/") {
			if seg == "" {
				return bad("the prefix has an empty path segment")
			}
		}
		loc.Prefix = p + "/"
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: %v", err)
	}
	for name, vals := range q {
		if len(vals) != 1 {
			return bad("query parameter %q given %d times", name, len(vals))
		}
		v := vals[0]
		switch name {
		case "region":
			loc.Region = v
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return bad("endpoint %q is not an http or https URL", v)
			}
			loc.Endpoint = v
		case "use_path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad("use_path_style %q is not a boolean", v)
			}
			loc.PathStyle = b
		default:
			return bad("unknown query parameter %q (known: region, endpoint, use_path_style)", name)
		}
	}
	return loc, nil
}

// String returns the location as an s3:// URL that Parse reads back.
func (l Location) String() string {
	u := url.URL{Scheme: "s3", Host: l.Bucket, Path: "/" + l.Prefix}
	q := url.Values{}
	if l.Region != "" {
		q.Set("region", l.Region)
	}
	if l.Endpoint != "" {
		q.Set("endpoint", l.Endpoint)
	}
	if l.PathStyle {
		q.Set("use_path_style", "true")
	}
	u.RawQuery = q.Encode()
	return u.String()
}
