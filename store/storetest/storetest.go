// Package storetest is the conformance suite for stele's object stores: every
// implementation of [store.Store] that can write (the directory store, S3,
// test doubles) runs [Run] from its tests, so that each clause of the
// contract written on store.Store is checked the same way everywhere.
//
// The suite checks what a caller can observe through one Store: results,
// errors and what reads return. Durability across crashes and visibility to
// other processes are properties of each implementation and are tested
// beside it.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"stele/store"
)

// Metadata as stele writes it, to check that it round-trips.
var (
	mdTile = store.Metadata{
		ContentType:  "application/octet-stream",
		CacheControl: "public, max-age=31536000, immutable",
	}
	mdBundle = store.Metadata{
		ContentType:     "application/octet-stream",
		CacheControl:    "public, max-age=31536000, immutable",
		ContentEncoding: "gzip",
	}
	mdCheckpoint = store.Metadata{
		ContentType:  "text/plain; charset=utf-8",
		CacheControl: "no-cache",
	}
)

// Run checks a writable Store against the contract of store.Store.
// newStore must return a new, empty store each time it is called.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"GetMissing", testGetMissing},
		{"CreateGet", testCreateGet},
		{"CreateIdentical", testCreateIdentical},
		{"CreateDifferent", testCreateDifferent},
		{"CreateConcurrent", testCreateConcurrent},
		{"EmptyObject", testEmptyObject},
		{"Put", testPut},
		{"CreateAfterPut", testCreateAfterPut},
		{"SwapCreate", testSwapCreate},
		{"SwapETag", testSwapETag},
		{"SwapConcurrent", testSwapConcurrent},
		{"SwapAfterWrites", testSwapAfterWrites},
		{"List", testList},
		{"ListUnsynced", testListUnsynced},
		{"InvalidKeys", testInvalidKeys},
		{"InvalidMetadata", testInvalidMetadata},
		{"PrefixKeys", testPrefixKeys},
		{"OddKeys", testOddKeys},
		{"Copies", testCopies},
		{"Canceled", testCanceled},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Sync", testSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f(t, newStore(t))
		})
	}
}

// get reads key and fails the test if it cannot.
func get(t *testing.T, s store.Store, key string) store.Object {
	t.Helper()
	o, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return o
}

// check reads key and fails the test unless it holds data and md.
func check(t *testing.T, s store.Store, key string, data []byte, md store.Metadata) store.Object {
	t.Helper()
	o := get(t, s, key)
	if !bytes.Equal(o.Data, data) {
		t.Errorf("Get(%q) = %q, want %q", key, trim(o.Data), trim(data))
	}
	if o.Metadata != md {
		t.Errorf("Get(%q) metadata = %+v, want %+v", key, o.Metadata, md)
	}
	if o.ETag == "" {
		t.Errorf("Get(%q) returned no ETag", key)
	}
	return o
}

func trim(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustNotExist(t *testing.T, s store.Store, key string) {
	t.Helper()
	_, err := s.Get(t.Context(), key)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Get(%q) error = %v, want one wrapping os.ErrNotExist", key, err)
	}
}

func testGetMissing(t *testing.T, s store.Store) {
	mustNotExist(t, s, "missing")
	mustNotExist(t, s, "logs/x/tile/0/000")
	must(t, s.Put(t.Context(), "logs/x/checkpoint", []byte("c"), mdCheckpoint))
	// A key that is only a prefix of others holds no object.
	mustNotExist(t, s, "logs/x")
	mustNotExist(t, s, "logs")
}

func testCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Create(ctx, "tile/0/000", []byte("hash tile"), mdTile))
	must(t, s.Create(ctx, "tile/entries/000", []byte("\x1f\x8bbundle"), mdBundle))
	must(t, s.Create(ctx, "plain", []byte("no metadata"), store.Metadata{}))
	check(t, s, "tile/0/000", []byte("hash tile"), mdTile)
	check(t, s, "tile/entries/000", []byte("\x1f\x8bbundle"), mdBundle)
	check(t, s, "plain", []byte("no metadata"), store.Metadata{})
	must(t, s.Sync(ctx))
	check(t, s, "tile/0/000", []byte("hash tile"), mdTile)
	check(t, s, "tile/entries/000", []byte("\x1f\x8bbundle"), mdBundle)
}

func testCreateIdentical(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Create(ctx, "tile/0/000", []byte("abc"), mdTile))
	if err := s.Create(ctx, "tile/0/000", []byte("abc"), mdTile); err != nil {
		t.Fatalf("Create of identical bytes, unsynced: %v", err)
	}
	must(t, s.Sync(ctx))
	if err := s.Create(ctx, "tile/0/000", []byte("abc"), mdTile); err != nil {
		t.Fatalf("Create of identical bytes, synced: %v", err)
	}
	must(t, s.Sync(ctx))
	check(t, s, "tile/0/000", []byte("abc"), mdTile)
}

func testCreateDifferent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const key = "tile/0/000"
	must(t, s.Create(ctx, key, []byte("original"), mdTile))
	for _, synced := range []bool{false, true} {
		if synced {
			must(t, s.Sync(ctx))
		}
		for _, data := range []string{"forged!!", "original ", "origina", ""} {
			err := s.Create(ctx, key, []byte(data), mdTile)
			if !errors.Is(err, store.ErrImmutable) {
				t.Fatalf("Create(%q) of different bytes (synced %v): error = %v, want ErrImmutable", data, synced, err)
			}
			if !strings.Contains(err.Error(), key) {
				t.Errorf("ErrImmutable error %q does not name the key %q", err, key)
			}
		}
		check(t, s, key, []byte("original"), mdTile)
	}
	must(t, s.Sync(ctx))
	check(t, s, key, []byte("original"), mdTile)
}

func testCreateConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	const key = "tile/entries/007"
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Create(ctx, key, fmt.Appendf(nil, "bundle from writer %d", i), mdBundle)
		})
	}
	wg.Wait()
	if err := s.Sync(ctx); err != nil && !errors.Is(err, store.ErrImmutable) {
		t.Fatalf("Sync: %v", err)
	}
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("Creates of different bytes by writers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrImmutable):
			t.Fatalf("Create by writer %d: %v, want nil or ErrImmutable", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no concurrent Create succeeded")
	}
	check(t, s, key, fmt.Appendf(nil, "bundle from writer %d", winner), mdBundle)
}

func testEmptyObject(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Create(ctx, "empty-create", nil, mdTile))
	must(t, s.Put(ctx, "empty-put", []byte{}, store.Metadata{}))
	must(t, s.Sync(ctx))
	check(t, s, "empty-create", nil, mdTile)
	check(t, s, "empty-put", nil, store.Metadata{})
	if err := s.Create(ctx, "empty-create", []byte("x"), mdTile); !errors.Is(err, store.ErrImmutable) {
		t.Fatalf("Create of bytes over an empty object: %v, want ErrImmutable", err)
	}
}

func testPut(t *testing.T, s store.Store) {
	ctx := t.Context()
	const key = "logs/x/history"
	md2 := store.Metadata{ContentType: "application/json", CacheControl: "max-age=60"}
	must(t, s.Put(ctx, key, []byte("[1]"), mdCheckpoint))
	check(t, s, key, []byte("[1]"), mdCheckpoint)
	must(t, s.Put(ctx, key, []byte("[1,2]"), md2))
	check(t, s, key, []byte("[1,2]"), md2)
	must(t, s.Sync(ctx))
	check(t, s, key, []byte("[1,2]"), md2)
	must(t, s.Put(ctx, key, []byte("[1,2,3]"), store.Metadata{}))
	must(t, s.Sync(ctx))
	check(t, s, key, []byte("[1,2,3]"), store.Metadata{})
	// Same bytes, new metadata.
	must(t, s.Put(ctx, key, []byte("[1,2,3]"), md2))
	must(t, s.Sync(ctx))
	check(t, s, key, []byte("[1,2,3]"), md2)
}

func testCreateAfterPut(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Put(ctx, "k", []byte("put"), mdTile))
	if err := s.Create(ctx, "k", []byte("put"), mdTile); err != nil {
		t.Fatalf("Create of the bytes a Put wrote: %v", err)
	}
	if err := s.Create(ctx, "k", []byte("other"), mdTile); !errors.Is(err, store.ErrImmutable) {
		t.Fatalf("Create of other bytes than a Put wrote: %v, want ErrImmutable", err)
	}
	must(t, s.Sync(ctx))
	check(t, s, "k", []byte("put"), mdTile)
}

func testSwapCreate(t *testing.T, s store.Store) {
	ctx := t.Context()
	const key = "logs/x/checkpoint"
	must(t, s.Swap(ctx, key, "", []byte("size 1"), mdCheckpoint))
	check(t, s, key, []byte("size 1"), mdCheckpoint)
	err := s.Swap(ctx, key, "", []byte("size 2"), mdCheckpoint)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("Swap expecting no object over an existing one: %v, want ErrPrecondition", err)
	}
	check(t, s, key, []byte("size 1"), mdCheckpoint)
}

func testSwapETag(t *testing.T, s store.Store) {
	ctx := t.Context()
	const key = "logs/x/checkpoint"
	// Expecting an object where there is none.
	err := s.Swap(ctx, key, `"0123"`, []byte("size 1"), mdCheckpoint)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("Swap expecting an ETag where no object is: %v, want ErrPrecondition", err)
	}
	mustNotExist(t, s, key)

	must(t, s.Put(ctx, key, []byte("size 1"), mdCheckpoint))
	stale := get(t, s, key).ETag
	must(t, s.Swap(ctx, key, stale, []byte("size 2"), mdCheckpoint))
	cur := check(t, s, key, []byte("size 2"), mdCheckpoint).ETag

	for _, etag := range []string{stale, cur + "x", `"not an etag"`, "*"} {
		err := s.Swap(ctx, key, etag, []byte("size 3"), mdCheckpoint)
		if !errors.Is(err, store.ErrPrecondition) {
			t.Fatalf("Swap with wrong ETag %s: %v, want ErrPrecondition", etag, err)
		}
		check(t, s, key, []byte("size 2"), mdCheckpoint)
	}
	must(t, s.Swap(ctx, key, cur, []byte("size 3"), mdTile))
	check(t, s, key, []byte("size 3"), mdTile)

	// The ETag changes with the bytes, and a Put makes the old one stale.
	before := get(t, s, key).ETag
	must(t, s.Put(ctx, key, []byte("size 4"), mdCheckpoint))
	if err := s.Swap(ctx, key, before, []byte("size 5"), mdCheckpoint); !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("Swap with an ETag made stale by a Put: %v, want ErrPrecondition", err)
	}
	check(t, s, key, []byte("size 4"), mdCheckpoint)
}

func testSwapConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const key = "logs/x/checkpoint"
	const n = 16
	for round, etag := range []string{"", "current"} {
		if etag != "" {
			etag = get(t, s, key).ETag
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = s.Swap(ctx, key, etag, fmt.Appendf(nil, "round %d writer %d", round, i), mdCheckpoint)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: Swaps by writers %d and %d with the same ETag both succeeded", round, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, store.ErrPrecondition):
				t.Fatalf("round %d: Swap by writer %d: %v, want nil or ErrPrecondition", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no concurrent Swap succeeded", round)
		}
		check(t, s, key, fmt.Appendf(nil, "round %d writer %d", round, winner), mdCheckpoint)
	}
}

func testSwapAfterWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 20 {
		must(t, s.Create(ctx, fmt.Sprintf("tile/0/%03d", i), []byte{byte(i)}, mdTile))
	}
	must(t, s.Put(ctx, "index.html", []byte("<p>"), store.Metadata{ContentType: "text/html"}))
	must(t, s.Swap(ctx, "checkpoint", "", []byte("size 20"), mdCheckpoint))
	for i := range 20 {
		check(t, s, fmt.Sprintf("tile/0/%03d", i), []byte{byte(i)}, mdTile)
	}
	check(t, s, "index.html", []byte("<p>"), store.Metadata{ContentType: "text/html"})
	keys, err := s.List(ctx, "")
	must(t, err)
	if len(keys) != 22 {
		t.Fatalf("List after Swap: %d keys, want 22: %q", len(keys), keys)
	}
}

// listFixture is the tree the List tests read.
var listFixture = []string{
	"a",
	"a-b",
	"a.c",
	"ab",
	"logs/x/checkpoint",
	"logs/x/tile/0/000",
	"logs/x/tile/0/001",
	"logs/x/tile/0/x001/002",
	"logs/x/tile/0/001.p/5",
	"logs/x/tile/1/000",
	"logs/x/tile/entries/000",
	"logs/xy/checkpoint",
	"namespaces/x/audits/7",
	"namespaces/x/index.html",
	"z",
}

func writeFixture(t *testing.T, s store.Store, keys []string) {
	t.Helper()
	for _, k := range keys {
		must(t, s.Put(t.Context(), k, []byte(k), store.Metadata{}))
	}
}

// wantList is what List(prefix) must return from keys.
func wantList(keys []string, prefix string) []string {
	want := []string{}
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	return want
}

func checkList(t *testing.T, s store.Store, all []string, prefix string) {
	t.Helper()
	got, err := s.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	want := wantList(all, prefix)
	if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
		t.Errorf("List(%q) = %q, want %q", prefix, got, want)
	}
}

var listPrefixes = []string{
	"", "a", "a/", "ab", "l", "logs/", "logs/x", "logs/x/", "logs/x/tile/0/",
	"logs/x/tile/0/00", "logs/x/tile/0/001", "logs/x/tile/0/001.p/", "logs/x/tile/entries/",
	"logs/xy/", "namespaces/x/", "nothing", "nothing/here/", "z/", "logs/x/checkpoint/",
}

func testList(t *testing.T, s store.Store) {
	writeFixture(t, s, listFixture)
	must(t, s.Sync(t.Context()))
	for _, p := range listPrefixes {
		checkList(t, s, listFixture, p)
	}
}

func testListUnsynced(t *testing.T, s store.Store) {
	ctx := t.Context()
	half := len(listFixture) / 2
	writeFixture(t, s, listFixture[:half])
	must(t, s.Sync(ctx))
	writeFixture(t, s, listFixture[half:])
	for _, p := range listPrefixes {
		checkList(t, s, listFixture, p)
	}
	for _, k := range listFixture {
		check(t, s, k, []byte(k), store.Metadata{})
	}
	must(t, s.Sync(ctx))
	for _, p := range listPrefixes {
		checkList(t, s, listFixture, p)
	}
}

// BadKeys are keys every store must refuse.
var BadKeys = []string{
	"", "/", "/a", "a/", "a//b", "a/../b", "../a", "a/..", ".", "..", "a/./b",
	".stele/x", ".stele", "a/.b", ".hidden", "a/.b/c", "a\x00b", "\xff\xfe",
}

func testInvalidKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, k := range BadKeys {
		if _, err := s.Get(ctx, k); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Get(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.Create(ctx, k, []byte("x"), mdTile); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Create(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.Put(ctx, k, []byte("x"), mdTile); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := s.Swap(ctx, k, "", []byte("x"), mdTile); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Swap(%q): %v, want ErrInvalidKey", k, err)
		}
	}
	for _, p := range []string{"/", "/a", "a//", "../", "a/../", ".stele/", ".", "a/.", "\xff"} {
		if _, err := s.List(ctx, p); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("List(%q): %v, want ErrInvalidKey", p, err)
		}
	}
	must(t, s.Sync(ctx))
	keys, err := s.List(ctx, "")
	must(t, err)
	if len(keys) != 0 {
		t.Fatalf("invalid keys left objects behind: %q", keys)
	}
}

func testInvalidMetadata(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, md := range []store.Metadata{
		{ContentType: "text/plain\r\nX-Injected: 1"},
		{CacheControl: "no-cache\n"},
		{ContentEncoding: "gzip\x00"},
		{ContentType: "text/plain; charset=ü"},
	} {
		for name, err := range map[string]error{
			"Create": s.Create(ctx, "k", []byte("x"), md),
			"Put":    s.Put(ctx, "k", []byte("x"), md),
			"Swap":   s.Swap(ctx, "k", "", []byte("x"), md),
		} {
			if !errors.Is(err, store.ErrInvalidMetadata) {
				t.Errorf("%s with metadata %+v: %v, want ErrInvalidMetadata", name, md, err)
			}
		}
	}
	must(t, s.Sync(ctx))
	mustNotExist(t, s, "k")
	md := store.Metadata{ContentType: "text/plain;\tcharset=utf-8", CacheControl: "max-age=0, must-revalidate"}
	must(t, s.Put(ctx, "k", []byte("x"), md))
	check(t, s, "k", []byte("x"), md)
}

// testPrefixKeys writes an object at a key that is a prefix of another's.
// A store either holds both, or refuses the second write (at the write or
// at Sync) with ErrPrefixConflict naming its key; the first object is intact
// either way.
func testPrefixKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	cases := []struct {
		first, second string
		syncBetween   bool
		create        bool
	}{
		{"a", "a/b", false, false},
		{"c/d", "c", false, false},
		{"e", "e/f/g", true, false},
		{"h/i/j", "h", true, true},
		{"k/l", "k", false, true},
		{"m", "m/n", true, true},
	}
	for _, c := range cases {
		write := s.Put
		if c.create {
			write = s.Create
		}
		must(t, write(ctx, c.first, []byte(c.first), mdTile))
		if c.syncBetween {
			must(t, s.Sync(ctx))
		}
		err := write(ctx, c.second, []byte(c.second), mdTile)
		if err == nil {
			err = s.Sync(ctx)
		}
		switch {
		case err == nil:
			check(t, s, c.second, []byte(c.second), mdTile)
		case errors.Is(err, store.ErrPrefixConflict):
			if !strings.Contains(err.Error(), c.second) {
				t.Errorf("conflict error %q does not name the key %q", err, c.second)
			}
			mustNotExist(t, s, c.second)
		default:
			t.Fatalf("writing %q after %q: %v, want nil or ErrPrefixConflict", c.second, c.first, err)
		}
		check(t, s, c.first, []byte(c.first), mdTile)
		must(t, s.Sync(ctx))
		check(t, s, c.first, []byte(c.first), mdTile)
	}
}

func testOddKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys := []string{
		"with space/file name",
		"ünïcödé/ключ/鍵",
		"q?x#y%20z",
		"a+b=c&d;e,f",
		"trailing.dot.",
		"-dash/_under/~tilde",
	}
	for _, k := range keys {
		must(t, s.Put(ctx, k, []byte(k), mdTile))
	}
	must(t, s.Sync(ctx))
	for _, k := range keys {
		check(t, s, k, []byte(k), mdTile)
	}
	checkList(t, s, keys, "")
}

func testCopies(t *testing.T, s store.Store) {
	ctx := t.Context()
	data := []byte("original")
	must(t, s.Put(ctx, "put", data, mdTile))
	must(t, s.Create(ctx, "create", data, mdTile))
	copy(data, "XXXXXXXX")
	check(t, s, "put", []byte("original"), mdTile)
	o := check(t, s, "create", []byte("original"), mdTile)
	copy(o.Data, "YYYYYYYY")
	check(t, s, "create", []byte("original"), mdTile)
	must(t, s.Sync(ctx))
	check(t, s, "put", []byte("original"), mdTile)
}

func testCanceled(t *testing.T, s store.Store) {
	must(t, s.Put(t.Context(), "k", []byte("v"), mdTile))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: %v, want context.Canceled", err)
	}
	if err := s.Put(ctx, "k2", []byte("v"), mdTile); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a canceled context: %v, want context.Canceled", err)
	}
	if err := s.Swap(ctx, "k3", "", []byte("v"), mdTile); !errors.Is(err, context.Canceled) {
		t.Errorf("Swap with a canceled context: %v, want context.Canceled", err)
	}
	must(t, s.Sync(t.Context()))
	check(t, s, "k", []byte("v"), mdTile)
}

func testConcurrentWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers, each = 8, 25
	var want []string
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		for i := range each {
			want = append(want, fmt.Sprintf("w%d/%03d", w, i))
		}
		wg.Go(func() {
			for i := range each {
				k := fmt.Sprintf("w%d/%03d", w, i)
				var err error
				if i%2 == 0 {
					err = s.Create(ctx, k, []byte(k), mdTile)
				} else {
					err = s.Put(ctx, k, []byte(k), mdTile)
				}
				if err == nil && i%10 == 0 {
					err = s.Sync(ctx)
				}
				if err == nil {
					_, err = s.List(ctx, fmt.Sprintf("w%d/", w))
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkList(t, s, want, "")
	must(t, s.Sync(ctx))
	checkList(t, s, want, "")
	for _, k := range want {
		check(t, s, k, []byte(k), mdTile)
	}
}

func testSync(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Sync(ctx)) // nothing written
	must(t, s.Create(ctx, "a", []byte("a"), mdTile))
	must(t, s.Sync(ctx))
	must(t, s.Sync(ctx)) // nothing new
	check(t, s, "a", []byte("a"), mdTile)
}
