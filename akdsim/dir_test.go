package akdsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"stele/akd"
)

var configs = []akd.Config{akd.WhatsAppV1(), akd.Experimental("ExampleLabel")}

// proofs lists a directory's proof keys in epoch order.
func proofs(t *testing.T, dir string) []string {
	t.Helper()
	var keys []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if !d.IsDir() && strings.Count(rel, "/") == 2 && !strings.HasPrefix(rel, ".akdsim") {
			keys = append(keys, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	epoch := func(k string) int { e, _ := strconv.Atoi(strings.SplitN(k, "/", 2)[0]); return e }
	sort.Slice(keys, func(i, j int) bool { return epoch(keys[i]) < epoch(keys[j]) })
	return keys
}

func verifyKey(t *testing.T, cfg akd.Config, dir, key string) (akd.Result, error) {
	t.Helper()
	parts := strings.Split(key, "/")
	e, _ := strconv.ParseUint(parts[0], 10, 64)
	prev, _ := hex.DecodeString(parts[1])
	cur, _ := hex.DecodeString(parts[2])
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return akd.Verify(context.Background(), f, cfg, e, [32]byte(prev), [32]byte(cur), nil)
}

// TestGeneratedProofsVerify generates directories of several sizes in
// both configurations and verifies every step, its chain of roots, and
// that a corrupted copy of each proof fails.
func TestGeneratedProofsVerify(t *testing.T) {
	sizes := []struct{ users, updates, epochs int }{{0, 1, 3}, {3, 2, 2}, {100, 10, 3}, {5000, 300, 2}}
	for _, cfg := range configs {
		for _, sz := range sizes {
			t.Run(cfg.Name()+"/"+strconv.Itoa(sz.users), func(t *testing.T) {
				dir := t.TempDir()
				sum, err := Extend(dir, Params{Config: cfg, Seed: 7, Start: 10, Users: sz.users}, sz.epochs, sz.updates)
				if err != nil {
					t.Fatal(err)
				}
				keys := proofs(t, dir)
				if len(keys) != sz.epochs || len(sum.Keys) != sz.epochs {
					t.Fatalf("%d proofs on disk, %d reported, want %d", len(keys), len(sum.Keys), sz.epochs)
				}
				anchor, err := os.ReadFile(filepath.Join(dir, "root"))
				if err != nil {
					t.Fatal(err)
				}
				prevRoot := strings.SplitN(strings.TrimSpace(string(anchor)), "/", 2)[1]
				for i, key := range keys {
					parts := strings.Split(key, "/")
					if parts[0] != strconv.Itoa(11+i) || parts[1] != prevRoot {
						t.Fatalf("key %s does not follow %s", key, prevRoot)
					}
					prevRoot = parts[2]
					res, err := verifyKey(t, cfg, dir, key)
					if err != nil {
						t.Fatalf("%s: %v", key, err)
					}
					if res.Inserted < sz.updates {
						t.Fatalf("%s: %d inserted for %d updates", key, res.Inserted, sz.updates)
					}
					// Negative control: one flipped byte in the middle.
					path := filepath.Join(dir, filepath.FromSlash(key))
					b, _ := os.ReadFile(path)
					b[len(b)/2] ^= 0x01
					parts = strings.Split(key, "/")
					e, _ := strconv.ParseUint(parts[0], 10, 64)
					_, err = akd.Verify(context.Background(), bytes.NewReader(b), cfg, e,
						[32]byte(must(hex.DecodeString(parts[1]))), [32]byte(must(hex.DecodeString(parts[2]))), nil)
					var v *akd.ViolationError
					var m *akd.MalformedError
					if !errors.As(err, &v) && !errors.As(err, &m) {
						t.Fatalf("%s with a flipped byte: %v", key, err)
					}
				}
			})
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestContinuation checks that N epochs then M more give the same bytes
// as N+M at once, and that the parameters are kept.
func TestContinuation(t *testing.T) {
	for _, cfg := range configs {
		t.Run(cfg.Name(), func(t *testing.T) {
			a, b := t.TempDir(), t.TempDir()
			p := Params{Config: cfg, Seed: 42, Start: 5, Users: 200}
			if _, err := Extend(a, p, 5, 20); err != nil {
				t.Fatal(err)
			}
			if _, err := Extend(b, p, 2, 20); err != nil {
				t.Fatal(err)
			}
			if _, err := Extend(b, Params{}, 3, 20); err != nil {
				t.Fatal(err)
			}
			ka, kb := proofs(t, a), proofs(t, b)
			if strings.Join(ka, " ") != strings.Join(kb, " ") || len(ka) != 5 {
				t.Fatalf("keys differ:\n%v\n%v", ka, kb)
			}
			for _, name := range append(ka, "root", paramsFile) {
				x, _ := os.ReadFile(filepath.Join(a, filepath.FromSlash(name)))
				y, _ := os.ReadFile(filepath.Join(b, filepath.FromSlash(name)))
				if !bytes.Equal(x, y) || len(x) == 0 {
					t.Fatalf("%s differs", name)
				}
			}
			if _, err := Extend(b, Params{Seed: 43}, 1, 20); err == nil {
				t.Fatal("continuing with another seed succeeded")
			}
			if _, err := Extend(b, Params{Start: 9}, 1, 20); err == nil {
				t.Fatal("continuing with another start succeeded")
			}
			// Another seed gives another directory.
			c := t.TempDir()
			if _, err := Extend(c, Params{Config: cfg, Seed: 43, Start: 5, Users: 200}, 1, 20); err != nil {
				t.Fatal(err)
			}
			if proofs(t, c)[0] == ka[0] {
				t.Fatal("seeds 42 and 43 gave the same first proof")
			}
		})
	}
}
