package sourcetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"stele/source"
	"stele/source/sourcetest"
)

// mem is a flat key-value Source, as a bucket is: it lists by the string
// prefix "<epoch>/" and filters with ParseKey, as the S3 sources will. It is
// a second implementation for the suite and the base of the broken ones.
type mem struct {
	objects map[string][]byte
	prefix  func(epoch uint64) string
}

func newMem(objects map[string][]byte) *mem {
	return &mem{objects: objects, prefix: func(e uint64) string { return strconv.FormatUint(e, 10) + "/" }}
}

func (m *mem) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("listing: %w", err)
	}
	var objs []source.Object
	p := m.prefix(epoch)
	for name, data := range m.objects {
		if !strings.HasPrefix(name, p) {
			continue
		}
		k, err := source.ParseKey(name)
		if err != nil || k.Epoch != epoch {
			continue
		}
		objs = append(objs, source.Object{Key: k, Name: name, Size: int64(len(data))})
	}
	return objs, nil
}

func (m *mem) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := source.ParseKey(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	data, ok := m.objects[name]
	if !ok {
		return nil, fmt.Errorf("opening %q: %w", name, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (m *mem) Location() string { return "mem:" }

func (m *mem) URL(name string) string { return "https://bucket.example/proofs/" + name }

func TestMem(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source { return newMem(objects) })
}

// Broken sources, each breaking one clause of the contract.
type (
	laxKeys       struct{ *mem }
	vagueNotFound struct{ *mem }
	deafToCancel  struct{ *mem }
	wrongSize     struct{ *mem }
	truncating    struct{ *mem }
	firstOnly     struct{ *mem }
	openAnything  struct{ *mem }
	badURL        struct{ *mem }
	// missingIsError reports an epoch without objects as an error.
	missingIsError struct{ *mem }
)

func (s laxKeys) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	objs, err := s.mem.List(ctx, epoch)
	for name := range s.objects {
		if strings.HasPrefix(name, s.prefix(epoch)) && strings.Count(name, "/") == 2 {
			if _, err := source.ParseKey(name); err != nil {
				objs = append(objs, source.Object{Name: name, Size: -1})
			}
		}
	}
	return objs, err
}

func (s vagueNotFound) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	r, err := s.mem.Open(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		err = errors.New("404")
	}
	return r, err
}

func (s deafToCancel) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	return s.mem.List(context.Background(), epoch)
}

func (s wrongSize) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	objs, err := s.mem.List(ctx, epoch)
	for i := range objs {
		objs[i].Size++
	}
	return objs, err
}

func (s truncating) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	r, err := s.mem.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(r, 64<<10), r}, nil
}

func (s firstOnly) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	objs, err := s.mem.List(ctx, epoch)
	return objs[:min(len(objs), 1)], err
}

func (s openAnything) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, ok := s.objects[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (s missingIsError) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	objs, err := s.mem.List(ctx, epoch)
	if err == nil && len(objs) == 0 {
		err = fmt.Errorf("epoch %d: %w", epoch, fs.ErrNotExist)
	}
	return objs, err
}

func (s badURL) URL(name string) string { return "/proofs/" + name }

var broken = map[string]func(map[string][]byte) source.Source{
	"laxKeys":        func(o map[string][]byte) source.Source { return laxKeys{newMem(o)} },
	"vagueNotFound":  func(o map[string][]byte) source.Source { return vagueNotFound{newMem(o)} },
	"deafToCancel":   func(o map[string][]byte) source.Source { return deafToCancel{newMem(o)} },
	"wrongSize":      func(o map[string][]byte) source.Source { return wrongSize{newMem(o)} },
	"truncating":     func(o map[string][]byte) source.Source { return truncating{newMem(o)} },
	"firstOnly":      func(o map[string][]byte) source.Source { return firstOnly{newMem(o)} },
	"openAnything":   func(o map[string][]byte) source.Source { return openAnything{newMem(o)} },
	"badURL":         func(o map[string][]byte) source.Source { return badURL{newMem(o)} },
	"missingIsError": func(o map[string][]byte) source.Source { return missingIsError{newMem(o)} },
	"prefixOnly": func(o map[string][]byte) source.Source {
		m := newMem(o)
		m.prefix = func(e uint64) string { return strconv.FormatUint(e, 10) }
		return prefixOnly{m}
	},
}

// prefixOnly lists by the epoch's digits without the trailing slash, so
// that epoch 12 lists epoch 120 too, and trusts the prefix instead of the
// parsed key's epoch.
type prefixOnly struct{ *mem }

func (s prefixOnly) List(ctx context.Context, epoch uint64) ([]source.Object, error) {
	var objs []source.Object
	for name := range s.objects {
		if !strings.HasPrefix(name, s.prefix(epoch)) {
			continue
		}
		if k, err := source.ParseKey(name); err == nil {
			k.Epoch = epoch
			objs = append(objs, source.Object{Key: k, Name: name, Size: -1})
		}
	}
	return objs, ctx.Err()
}

const brokenEnv = "SOURCETEST_BROKEN"

// TestBroken runs the suite on one broken source, named by the
// environment; TestSuiteCatchesBrokenSources runs it in a child process and
// expects it to fail.
func TestBroken(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenSources in a child process")
	}
	sourcetest.Run(t, func(t *testing.T, objects map[string][]byte) source.Source { return broken[name](objects) })
}

// TestSuiteCatchesBrokenSources is the suite's negative control: for each
// broken source, the subtests that cover the broken clause must fail.
func TestSuiteCatchesBrokenSources(t *testing.T) {
	want := map[string][]string{
		"laxKeys":        {"Ignored", "ListExact"},
		"vagueNotFound":  {"Empty", "OpenMissing"},
		"deafToCancel":   {"Canceled"},
		"wrongSize":      {"Objects"},
		"truncating":     {"OpenBytes", "Concurrent"},
		"firstOnly":      {"ListTwo", "ListExact"},
		"openAnything":   {"OpenInvalid"},
		"badURL":         {"Location"},
		"missingIsError": {"Empty", "ListNone"},
		"prefixOnly":     {"EpochOrder", "ListExact", "Objects"},
	}
	if len(want) != len(broken) {
		t.Fatalf("%d broken sources, %d expectations", len(broken), len(want))
	}
	for name, subtests := range want {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBroken$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a source with a broken contract:\n%s", out)
			}
			for _, sub := range subtests {
				if !strings.Contains(string(out), "--- FAIL: TestBroken/"+sub+" ") {
					t.Errorf("subtest %s did not fail:\n%s", sub, out)
				}
			}
		})
	}
}
