package source

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"stele/internal/s3client"
)

// ErrUnsupported is wrapped by the error of [Open] for a location whose
// kind stele cannot read (a scheme other than file, s3, http and https).
var ErrUnsupported = errors.New("source: unsupported location")

// Open returns the source at a configured location:
//
//   - a directory path, or a file:// URL (with an empty or "localhost"
//     host), is a [Dir];
//   - s3://BUCKET/PREFIX?region=R&endpoint=URL&use_path_style=true is an
//     [S3] source (credentials from the standard AWS chain, anonymous when
//     it has none);
//   - a bucket's public http:// or https:// URL, with an optional
//     ?prefix=P/, is an [HTTP] source (the S3 listing API over plain HTTP);
//   - any other "scheme://" location is an error wrapping ErrUnsupported.
func Open(location string) (Source, error) {
	if location == "" {
		return nil, errors.New("source: empty location")
	}
	scheme, _, hasScheme := strings.Cut(location, "://")
	if !hasScheme || !isScheme(scheme) {
		return NewDir(location)
	}
	switch strings.ToLower(scheme) {
	case "file":
		path, err := filePath(location)
		if err != nil {
			return nil, err
		}
		return NewDir(path)
	case "s3":
		return OpenS3(context.Background(), location, s3client.Options{})
	case "http", "https":
		return NewHTTP(location, nil)
	default:
		return nil, fmt.Errorf("%w: unknown scheme %q in %s", ErrUnsupported, scheme, location)
	}
}

// isScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, "+", "-" or "."). A Windows path such as C:\x has none.
func isScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i] | 0x20 // lower case for letters
		switch {
		case 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= s[i] && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return true
}

// filePath returns the local path that a file:// URL names.
func filePath(location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil {
		return "", fmt.Errorf("source: parsing %s: %w", location, err)
	}
	if u.Host != "" && !strings.EqualFold(u.Host, "localhost") {
		return "", fmt.Errorf("source: %s: a file URL must name a local path (no host)", location)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("source: %s: a file URL takes no query or fragment", location)
	}
	if u.Path == "" {
		return "", fmt.Errorf("source: %s: a file URL needs a path", location)
	}
	p := u.Path
	// file:///C:/proofs names C:\proofs on Windows.
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p), nil
}
