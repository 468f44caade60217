// Package sourcetest is the conformance suite for stele's proof sources:
// every implementation of [source.Source] (the local directory, S3, a
// bucket's public listing over HTTP, test doubles) runs [Run] from its
// tests, so that each clause of the contract written on source.Source is
// checked the same way everywhere.
package sourcetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"stele/source"
)

// Run checks a Source against the contract of source.Source.
//
// newSource returns a source holding exactly the given objects, keys
// relative to the source's root. A key ending in "/" is a folder marker: an
// object store holds it as an empty object at that key, a directory as a
// directory at that path (see [WriteTree]). No key of the suite is also a
// prefix of another, so every kind of store can hold them all. Run calls
// newSource once with the suite's fixture, whose source the read-only
// subtests share, and once with no objects at all.
func Run(t *testing.T, newSource func(t *testing.T, objects map[string][]byte) source.Source) {
	t.Run("Empty", func(t *testing.T) {
		s := newSource(t, map[string][]byte{})
		for _, e := range []uint64{0, 1, 12, math.MaxUint64} {
			wantList(t, s, e, nil)
		}
		wantMissing(t, s, key(12, "prev 12a", "cur 12a"))
	})

	fx := newFixture()
	s := newSource(t, fx.all())
	tests := []struct {
		name string
		f    func(t *testing.T, s source.Source, fx *fixture)
	}{
		{"ListNone", testListNone},
		{"ListOne", testListOne},
		{"ListTwo", testListTwo},
		{"EpochOrder", testEpochOrder},
		{"Ignored", testIgnored},
		{"ListExact", testListExact},
		{"Objects", testObjects},
		{"OpenBytes", testOpenBytes},
		{"OpenMissing", testOpenMissing},
		{"OpenInvalid", testOpenInvalid},
		{"Canceled", testCanceled},
		{"Concurrent", testConcurrent},
		{"Location", testLocation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, s, fx) })
	}
}

// WriteTree writes objects into the directory root as files at their keys
// (mode 0644, directories 0755). A key ending in "/" (a folder marker)
// becomes a directory. It is how a directory holds the objects [Run] gives a
// source.
func WriteTree(t testing.TB, root string, objects map[string][]byte) {
	t.Helper()
	for k, data := range objects {
		path := filepath.Join(root, filepath.FromSlash(k))
		if strings.HasSuffix(k, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatalf("writing folder marker %q: %v", k, err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("writing %q: %v", k, err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatalf("writing %q: %v", k, err)
		}
	}
}

// list calls List and fails the test on an error.
func list(t *testing.T, s source.Source, e uint64) []source.Object {
	t.Helper()
	objs, err := s.List(t.Context(), e)
	if err != nil {
		t.Fatalf("List(%d): %v", e, err)
	}
	return objs
}

// names returns the sorted names of objs.
func names(objs []source.Object) []string {
	var n []string
	for _, o := range objs {
		n = append(n, o.Name)
	}
	slices.Sort(n)
	return n
}

// wantList checks that List(e) names exactly want.
func wantList(t *testing.T, s source.Source, e uint64, want []string) {
	t.Helper()
	got := names(list(t, s, e))
	if !slices.Equal(got, want) {
		t.Errorf("List(%d) = %q, want %q", e, got, want)
	}
}

// read opens name and reads it all.
func read(ctx context.Context, s source.Source, name string) ([]byte, error) {
	r, err := s.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing: %w", cerr)
	}
	return data, err
}

func wantMissing(t *testing.T, s source.Source, name string) {
	t.Helper()
	r, err := s.Open(t.Context(), name)
	if err == nil {
		r.Close()
		t.Errorf("Open(%q) succeeded for an object that is not there", name)
		return
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(%q) error = %v, want one wrapping os.ErrNotExist", name, err)
	}
}

func testListNone(t *testing.T, s source.Source, fx *fixture) {
	for _, e := range emptyEpochs {
		wantList(t, s, e, nil)
	}
}

func testListOne(t *testing.T, s source.Source, fx *fixture) {
	for _, e := range singleEpochs {
		objs := list(t, s, e)
		if len(objs) != 1 {
			t.Errorf("List(%d) = %q, want one object", e, names(objs))
			continue
		}
		want := source.Key{Epoch: e, Prev: root(fmt.Sprint("prev ", e)), Cur: root(fmt.Sprint("cur ", e))}
		if objs[0].Key != want || objs[0].Name != want.String() {
			t.Errorf("List(%d) = %+v, want the object %s", e, objs[0], want)
		}
	}
}

func testListTwo(t *testing.T, s source.Source, fx *fixture) {
	wantList(t, s, twoEpoch, fx.epoch(twoEpoch))
	if n := len(fx.epoch(twoEpoch)); n != 2 {
		t.Fatalf("fixture: epoch %d has %d objects, want 2", twoEpoch, n)
	}
}

func testEpochOrder(t *testing.T, s source.Source, fx *fixture) {
	// In string order 99999 sorts after 624700 and 9 after 10; a source
	// that walks or filters by string comparison gets one of them wrong.
	for _, e := range []uint64{99999, 624700, 9, 10, 1, 12, 120} {
		wantList(t, s, e, fx.epoch(e))
	}
}

// someEpochs are epochs worth asking about: every epoch in the fixture, the
// empty ones and the numbers that ignored keys spell.
func someEpochs() []uint64 {
	es := slices.Concat(singleEpochs, []uint64{twoEpoch}, emptyEpochs, []uint64{3, 8, 100, 1000, 6247, 18446744073709551})
	slices.Sort(es)
	return slices.Compact(es)
}

func testIgnored(t *testing.T, s source.Source, fx *fixture) {
	for _, e := range someEpochs() {
		for _, o := range list(t, s, e) {
			if _, ok := fx.ignored[o.Name]; ok {
				t.Errorf("List(%d) listed %q, which is not a proof object's key", e, o.Name)
			}
			if _, ok := fx.valid[o.Name]; !ok {
				t.Errorf("List(%d) listed %q, which the source does not hold", e, o.Name)
			}
		}
	}
}

func testListExact(t *testing.T, s source.Source, fx *fixture) {
	for _, e := range someEpochs() {
		objs := list(t, s, e)
		wantList(t, s, e, fx.epoch(e))
		if n := names(objs); len(slices.Compact(n)) != len(objs) {
			t.Errorf("List(%d) listed an object twice: %q", e, n)
		}
	}
}

func testObjects(t *testing.T, s source.Source, fx *fixture) {
	for _, e := range someEpochs() {
		for _, o := range list(t, s, e) {
			if o.Name != o.Key.String() {
				t.Errorf("List(%d): object named %q has key %s", e, o.Name, o.Key)
			}
			if o.Epoch != e {
				t.Errorf("List(%d): object %q has epoch %d", e, o.Name, o.Epoch)
			}
			data, ok := fx.valid[o.Name]
			if !ok {
				continue // reported by Ignored
			}
			if o.Size != -1 && o.Size != int64(len(data)) {
				t.Errorf("List(%d): object %q has size %d, want %d or -1", e, o.Name, o.Size, len(data))
			}
		}
	}
}

func testOpenBytes(t *testing.T, s source.Source, fx *fixture) {
	for name, want := range fx.valid {
		got, err := read(t.Context(), s, name)
		if err != nil {
			t.Errorf("reading %q: %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("reading %q: got %d bytes, want the %d stored", name, len(got), len(want))
		}
	}
	// The names List returns open too.
	for _, o := range list(t, s, twoEpoch) {
		if _, err := read(t.Context(), s, o.Name); err != nil {
			t.Errorf("reading listed %q: %v", o.Name, err)
		}
	}
}

func testOpenMissing(t *testing.T, s source.Source, fx *fixture) {
	h := rootHex
	for _, name := range []string{
		key(11, "prev 11", "cur 11"),
		key(twoEpoch, "prev 12a", "cur 12b"), // the epoch and previous root exist
		key(twoEpoch, "prev 12c", "cur 12c"),
		key(624700, "prev 624700", "cur 624701"),
		"12/" + h("x10") + "/" + h("x11"), // a folder marker's name without "/"
		"12/" + h("x12") + "/" + h("x13"), // the parent of another key
		"13/" + h("x27") + "/" + h("x28"), // under a non-folder object
		"7/" + h("x17") + "/" + h("x18"),  // "007/..." without the zeros
	} {
		if _, ok := fx.valid[name]; ok {
			t.Fatalf("fixture: %q is not missing", name)
		}
		wantMissing(t, s, name)
	}
}

func testOpenInvalid(t *testing.T, s source.Source, fx *fixture) {
	names := []string{"", "/", "..", "../root", "12/../root", "/" + key(0, "prev 0", "cur 0"), key(0, "prev 0", "cur 0") + "/"}
	for k := range fx.ignored {
		names = append(names, k)
	}
	for _, name := range names {
		r, err := s.Open(t.Context(), name)
		if err == nil {
			r.Close()
			t.Errorf("Open(%q) succeeded for a name that is not a key", name)
			continue
		}
		if !errors.Is(err, source.ErrInvalidKey) {
			t.Errorf("Open(%q) error = %v, want one wrapping source.ErrInvalidKey", name, err)
		}
	}
}

func testCanceled(t *testing.T, s source.Source, fx *fixture) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	name := key(twoEpoch, "prev 12a", "cur 12a")
	objs, err := s.List(ctx, twoEpoch)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("List with a canceled context = %q, %v; want an error wrapping context.Canceled", names(objs), err)
	}
	r, err := s.Open(ctx, name)
	if err == nil {
		r.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open(%q) with a canceled context: error = %v, want one wrapping context.Canceled", name, err)
	}
	if errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(%q) with a canceled context reports a missing object: %v", name, err)
	}
}

func testConcurrent(t *testing.T, s source.Source, fx *fixture) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			e := singleEpochs[i%len(singleEpochs)]
			objs, err := s.List(t.Context(), e)
			if err != nil || len(objs) != 1 {
				t.Errorf("concurrent List(%d) = %q, %v; want one object", e, names(objs), err)
				return
			}
			data, err := read(t.Context(), s, objs[0].Name)
			if err != nil || !bytes.Equal(data, fx.valid[objs[0].Name]) {
				t.Errorf("concurrent read of %q: %d bytes, %v; want the %d stored", objs[0].Name, len(data), err, len(fx.valid[objs[0].Name]))
			}
		})
	}
	wg.Wait()
}

func testLocation(t *testing.T, s source.Source, fx *fixture) {
	if s.Location() == "" {
		t.Errorf("Location() is empty")
	}
	for name := range fx.valid {
		u := s.URL(name)
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			t.Errorf("URL(%q) = %q, want an absolute http(s) URL or nothing", name, u)
		}
		if !strings.HasSuffix(u, "/"+name) {
			t.Errorf("URL(%q) = %q, want it to end in the object's name", name, u)
		}
	}
}
