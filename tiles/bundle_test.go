package tiles

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// mustBundle builds a bundle of entries.
func mustBundle(tb testing.TB, entries ...[]byte) []byte {
	tb.Helper()
	var b []byte
	for _, e := range entries {
		var err error
		if b, err = AppendEntry(b, e); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

func TestAppendEntryEncoding(t *testing.T) {
	b := mustBundle(t, []byte("ab"), nil, []byte{0xff})
	want := []byte{0, 2, 'a', 'b', 0, 0, 0, 1, 0xff}
	if !bytes.Equal(b, want) {
		t.Fatalf("bundle = %x, want %x", b, want)
	}
}

func TestEntrySizeLimit(t *testing.T) {
	max := bytes.Repeat([]byte{'a'}, MaxEntrySize)
	b, err := AppendEntry(nil, max)
	if err != nil {
		t.Fatalf("AppendEntry(%d bytes): %v", MaxEntrySize, err)
	}
	if b[0] != 0xff || b[1] != 0xff || len(b) != MaxEntrySize+2 {
		t.Fatalf("bundle starts %x and has %d bytes", b[:2], len(b))
	}
	entries, err := ParseBundle(b)
	if err != nil || len(entries) != 1 || !bytes.Equal(entries[0], max) {
		t.Fatalf("ParseBundle of a %d-byte entry: %d entries, %v", MaxEntrySize, len(entries), err)
	}

	prefix := []byte{0, 1, 'x'}
	got, err := AppendEntry(prefix, append(max, 'a'))
	if err == nil {
		t.Fatalf("AppendEntry(%d bytes) succeeded", MaxEntrySize+1)
	}
	if !bytes.Equal(got, prefix) {
		t.Errorf("failed AppendEntry changed the bundle to %x", got)
	}
}

func TestParseBundleRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 17, 255, 256} {
		var entries [][]byte
		for i := range n {
			entries = append(entries, bytes.Repeat([]byte{byte(i)}, i*7%300))
		}
		b := mustBundle(t, entries...)
		got, err := ParseBundle(b)
		if err != nil {
			t.Fatalf("ParseBundle(%d entries): %v", n, err)
		}
		gotN, err := ParseBundleN(b, n)
		if err != nil {
			t.Fatalf("ParseBundleN(%d entries, %d): %v", n, n, err)
		}
		if len(got) != n || len(gotN) != n {
			t.Fatalf("parsed %d and %d entries, want %d", len(got), len(gotN), n)
		}
		for i := range entries {
			if !bytes.Equal(got[i], entries[i]) || !bytes.Equal(gotN[i], entries[i]) {
				t.Fatalf("entry %d differs", i)
			}
		}
	}
}

func TestParseBundleEmptyEntries(t *testing.T) {
	b := mustBundle(t, nil, []byte("x"), nil)
	got, err := ParseBundleN(b, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != 0 || string(got[1]) != "x" || len(got[2]) != 0 {
		t.Fatalf("entries = %q", got)
	}
}

func TestParseBundleAliases(t *testing.T) {
	b := mustBundle(t, []byte("abc"), []byte("def"))
	got, err := ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	b[2] = 'A'
	if string(got[0]) != "Abc" {
		t.Errorf("entry 0 = %q: does not alias the bundle", got[0])
	}
	_ = append(got[0], 'Z')
	if string(got[1]) != "def" {
		t.Errorf("appending to entry 0 overwrote entry 1: %q", got[1])
	}
}

func TestParseBundleMalformed(t *testing.T) {
	full := make([][]byte, Width)
	for i := range full {
		full[i] = []byte{byte(i)}
	}
	fullBundle := mustBundle(t, full...)
	three := mustBundle(t, []byte("one"), []byte("two"), []byte("three"))

	for _, tc := range []struct {
		name   string
		data   []byte
		want   int // 0: ParseBundle, else ParseBundleN(data, want)
		detail string
	}{
		{"empty", nil, 0, "empty"},
		{"empty with width", []byte{}, 1, "empty"},
		{"one byte", []byte{0}, 0, "entry 0 at byte offset 0: truncated length prefix"},
		{"trailing byte", append(mustBundle(t, []byte("a")), 0), 0, "entry 1 at byte offset 3: truncated length prefix"},
		{"truncated entry", three[:len(three)-1], 0, "entry 2 at byte offset 10: length 5, but only 4 bytes follow"},
		{"length past end", []byte{0, 5, 'a'}, 0, "length 5, but only 1 bytes follow"},
		{"257 entries", mustBundle(t, append(full, nil)...), 0, "2 bytes after entry 255"},
		{"full bundle plus a byte", append(fullBundle, 0), 0, "1 bytes after entry 255"},
		{"more than the width", three, 2, "7 bytes after entry 1, the last of the tile's 2, at byte offset 10"},
		{"fewer than the width", three, 4, "3 entries, want 4"},
		{"fewer than a full tile", three, Width, "3 entries, want 256"},
		{"truncated with width", three[:len(three)-1], 3, "entry 2"},
	} {
		var err error
		if tc.want == 0 {
			_, err = ParseBundle(tc.data)
		} else {
			_, err = ParseBundleN(tc.data, tc.want)
		}
		if err == nil {
			t.Errorf("%s: parsed without error", tc.name)
			continue
		}
		if !errors.Is(err, ErrMalformedBundle) {
			t.Errorf("%s: error %v does not wrap ErrMalformedBundle", tc.name, err)
		}
		if !strings.Contains(err.Error(), tc.detail) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.detail)
		}
	}

	// Controls: the untruncated bundles parse.
	if _, err := ParseBundleN(three, 3); err != nil {
		t.Errorf("control: %v", err)
	}
	if _, err := ParseBundleN(fullBundle, Width); err != nil {
		t.Errorf("control: %v", err)
	}
}

func TestParseBundleNWidth(t *testing.T) {
	b := mustBundle(t, []byte("a"))
	for _, w := range []int{-1, 0, Width + 1} {
		_, err := ParseBundleN(b, w)
		if err == nil || errors.Is(err, ErrMalformedBundle) {
			t.Errorf("ParseBundleN(_, %d) = %v, want a caller's error", w, err)
		}
	}
}

func FuzzParseBundle(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 'a', 0, 2, 'b', 'c'})
	f.Add([]byte{0, 3, 'a'})
	f.Add([]byte{0xff, 0xff})
	f.Add(mustBundle(f, make([][]byte, Width)...))
	f.Add(mustBundle(f, make([][]byte, Width+1)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseBundle(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedBundle) {
				t.Fatalf("error %v does not wrap ErrMalformedBundle", err)
			}
			return
		}
		if len(entries) < 1 || len(entries) > Width {
			t.Fatalf("%d entries", len(entries))
		}
		if again := mustBundle(t, entries...); !bytes.Equal(again, data) {
			t.Fatalf("re-encoded bundle %x differs from %x", again, data)
		}
		if _, err := ParseBundleN(data, len(entries)); err != nil {
			t.Fatalf("ParseBundleN with the parsed width: %v", err)
		}
		if len(entries) < Width {
			if _, err := ParseBundleN(data, len(entries)+1); err == nil {
				t.Fatalf("ParseBundleN with one more than the %d entries succeeded", len(entries))
			}
		}
		if len(entries) > 1 {
			if _, err := ParseBundleN(data, len(entries)-1); err == nil {
				t.Fatalf("ParseBundleN with one fewer than the %d entries succeeded", len(entries))
			}
		}
	})
}
