package store

import (
	"context"
	"errors"
	"strings"
)

// Open returns the store for a command-line target: an http:// or https://
// URL is read with [HTTP] (and http.DefaultClient), an s3:// URL is an [S3]
// store (see [OpenS3]: credentials from the standard AWS chain), and
// anything else is a directory path opened with [NewDir].
func Open(target string) (Store, error) {
	scheme, _, hasScheme := strings.Cut(target, "://")
	switch strings.ToLower(scheme) {
	case "http", "https":
		if hasScheme {
			return NewHTTP(target, nil)
		}
	case "s3":
		if hasScheme {
			return OpenS3(context.Background(), target, S3Options{})
		}
	}
	if target == "" {
		return nil, errors.New("store: empty target")
	}
	return NewDir(target)
}
