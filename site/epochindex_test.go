package site

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestEpochIndex(t *testing.T) {
	var x EpochIndex
	entries := testEntries(t, "wa", 0, 300, 1000)
	entries[299] = testViolation(t, "wa", 299, 1299, "roots do not rebuild", "")
	for _, e := range entries {
		if err := x.Add(e.Index, e.Record); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Add(5, entries[5].Record); err == nil {
		t.Error("an entry added out of order")
	}
	want := EpochIndex{Size: 300, Pages: []PageRange{{1000, 1255, 256}, {1256, 1299, 44}}, Violations: []Violation{{299, 1299, "roots do not rebuild"}}}
	if !reflect.DeepEqual(x, want) {
		t.Fatalf("index %+v", x)
	}
	b, err := x.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	y, err := ParseEpochIndex(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*y, want) {
		t.Fatalf("round trip %+v", y)
	}
	y.TruncatePages(1)
	if y.Size != 256 || len(y.Pages) != 1 || len(y.Violations) != 0 {
		t.Fatalf("truncated %+v", y)
	}
	for _, e := range entries[256:] {
		if err := y.Add(e.Index, e.Record); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(*y, want) {
		t.Fatal("re-adding after truncation gives another index")
	}
	empty, err := (&EpochIndex{}).Marshal()
	if err != nil || string(empty) != `{"size":0,"pages":[],"violations":[]}`+"\n" {
		t.Fatalf("empty index %s %v", empty, err)
	}
}

func TestParseEpochIndexRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":                `{`,
		"unknown field":           `{"size":0,"pages":[],"violations":[],"extra":1}`,
		"trailing data":           `{"size":0,"pages":[],"violations":[]} {}`,
		"size mismatch":           `{"size":3,"pages":[{"first":1,"last":2,"entries":2}],"violations":[]}`,
		"partial page not last":   `{"size":3,"pages":[{"first":1,"last":2,"entries":2},{"first":3,"last":3,"entries":1}],"violations":[]}`,
		"empty page":              `{"size":0,"pages":[{"first":1,"last":1,"entries":0}],"violations":[]}`,
		"epochs backwards":        `{"size":1,"pages":[{"first":2,"last":1,"entries":1}],"violations":[]}`,
		"violation outside":       `{"size":1,"pages":[{"first":1,"last":1,"entries":1}],"violations":[{"entry":1,"epoch":1,"reason":""}]}`,
		"violation wrong epoch":   `{"size":1,"pages":[{"first":1,"last":1,"entries":1}],"violations":[{"entry":0,"epoch":9,"reason":""}]}`,
		"violations out of order": `{"size":2,"pages":[{"first":1,"last":2,"entries":2}],"violations":[{"entry":1,"epoch":2,"reason":""},{"entry":0,"epoch":1,"reason":""}]}`,
	} {
		if _, err := ParseEpochIndex([]byte(in)); !errors.Is(err, ErrMalformedIndex) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Positive control for the cases above.
	if _, err := ParseEpochIndex([]byte(`{"size":2,"pages":[{"first":1,"last":2,"entries":2}],"violations":[{"entry":1,"epoch":2,"reason":"x"}]}`)); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseEpochIndex(f *testing.F) {
	f.Add([]byte(`{"size":0,"pages":[],"violations":[]}`))
	f.Add([]byte(`{"size":2,"pages":[{"first":1,"last":2,"entries":2}],"violations":[{"entry":1,"epoch":2,"reason":"<x>"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ParseEpochIndex(b)
		if err != nil {
			return
		}
		out, err := x.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		y, err := ParseEpochIndex(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		again, _ := y.Marshal()
		if !bytes.Equal(out, again) || !reflect.DeepEqual(x, y) {
			t.Fatalf("round trip changed the index: %s vs %s", out, again)
		}
	})
}
