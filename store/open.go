package store

import (
	"errors"
	"strings"
)

// Open returns the store for a command-line target: an http:// or https://
// URL is read with [HTTP] (and http.DefaultClient), anything else is a
// directory path opened with [NewDir]. s3:// URLs are not supported yet.
func Open(target string) (Store, error) {
	scheme, _, hasScheme := strings.Cut(target, "://")
	switch strings.ToLower(scheme) {
	case "http", "https":
		if hasScheme {
			return NewHTTP(target, nil)
		}
	case "s3":
		if hasScheme {
			return nil, errors.New("store: s3 not supported yet: " + target)
		}
	}
	if target == "" {
		return nil, errors.New("store: empty target")
	}
	return NewDir(target)
}
