package store_test

import (
	"errors"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"stele/store"
	"stele/store/storetest"
)

func TestCheckKey(t *testing.T) {
	for _, k := range []string{
		"a", "checkpoint", "logs/ns/tile/0/x001/234.p/5", "a.b", "a..b", "a/b.", "with space",
		"ünïcödé", "q?x#y%20z", "namespaces/x/index.html", "-", "_/~",
	} {
		if err := store.CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", k, err)
		}
	}
	for _, k := range storetest.BadKeys {
		err := store.CheckKey(k)
		if !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("CheckKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

// FuzzCheckKey checks the key rules against their definition: a key is
// accepted exactly when it is a clean relative path of non-hidden segments.
func FuzzCheckKey(f *testing.F) {
	for _, k := range append(storetest.BadKeys, "a", "logs/ns/tile/0/000", "a.b/c", "ключ") {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := store.CheckKey(key)
		want := key != "" && utf8.ValidString(key) && !strings.Contains(key, "\x00") &&
			path.Clean(key) == key && !path.IsAbs(key) && !strings.HasPrefix(key, ".") && !strings.Contains(key, "/.")
		if (err == nil) != want {
			t.Fatalf("CheckKey(%q) = %v, want valid = %v", key, err, want)
		}
		if err != nil && !errors.Is(err, store.ErrInvalidKey) {
			t.Fatalf("CheckKey(%q) = %v, not wrapping ErrInvalidKey", key, err)
		}
	})
}
