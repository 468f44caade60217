package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CheckKey reports whether key is a valid object key, returning an error
// wrapping ErrInvalidKey that names the key and the rule it breaks if not.
//
// A valid key is non-empty valid UTF-8 without NUL bytes, made of
// slash-separated segments that are non-empty and do not start with ".".
// That excludes leading and trailing slashes, "a//b", "." and "..", and
// names such as ".stele" that stores keep for their own bookkeeping.
func CheckKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, reason)
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	case strings.IndexByte(key, 0) >= 0:
		return "contains a NUL byte"
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "empty path segment (leading, trailing or double slash)"
		case seg[0] == '.':
			return "path segment starts with \".\""
		}
	}
	return ""
}

// checkPrefix reports whether some valid key can start with prefix: the
// empty prefix, or one that extends to a valid key by appending a letter.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if keyProblem(prefix+"x") != "" {
		return fmt.Errorf("%w prefix %q: no valid key starts with it", ErrInvalidKey, prefix)
	}
	return nil
}

// isCheckpointKey reports whether key names a log's checkpoint, which must
// never be served from a cache.
func isCheckpointKey(key string) bool {
	return key == "checkpoint" || strings.HasSuffix(key, "/checkpoint")
}
