package mirror_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"stele/layout"
	"stele/mirror"
	"stele/store"
	"stele/verify"
)

func TestParseHistory(t *testing.T) {
	for in, want := range map[string][]int64{
		"[]":                    nil,
		"[31,41]\n":             {31, 41},
		" [ 0 , 7 ] ":           {0, 7},
		"[9223372036854775807]": {1<<63 - 1},
	} {
		got, err := mirror.ParseHistory([]byte(in))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "[", "[1,]", "[01]", "[-1]", "[2,1]", "[1,1]", "[1] x", `["1"]`, "[1.5]", "[9223372036854775808]", "{}"} {
		if _, err := mirror.ParseHistory([]byte(in)); !errors.Is(err, mirror.ErrMalformedHistory) {
			t.Errorf("%q: %v, want ErrMalformedHistory", in, err)
		}
	}
}

func FuzzParseHistory(f *testing.F) {
	for _, s := range []string{"[]", "[31,41]\n", "[0, 1,2 ]", "[1,1]", "[x]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sizes, err := mirror.ParseHistory(b)
		if err != nil {
			return
		}
		out := mirror.FormatHistory(sizes)
		again, err := mirror.ParseHistory(out)
		if err != nil || !slices.Equal(again, sizes) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", b, sizes, out, again, err)
		}
		for i := 1; i < len(sizes); i++ {
			if sizes[i] <= sizes[i-1] || sizes[0] < 0 {
				t.Fatalf("%q: sizes %v not increasing", b, sizes)
			}
		}
	})
}

func TestAssetRefs(t *testing.T) {
	page := []byte(`<script src="../../assets/verify-84d0.js" defer></script>
<link href="assets/style-1.css"><a href="/assets/abs.js">x</a> myassets/no.js assets/../etc assets/verify-84d0.js`)
	got := mirror.AssetRefs(page)
	want := []string{"assets/verify-84d0.js", "assets/style-1.css", "assets/abs.js"}
	if !slices.Equal(got, want) {
		t.Fatalf("AssetRefs = %q, want %q", got, want)
	}
}

func FuzzAssetRefs(f *testing.F) {
	f.Add([]byte(`<script src="../assets/verify-1.js"></script>`))
	f.Add([]byte(`assets/.x assets/a/b ../assets/ok`))
	f.Fuzz(func(t *testing.T, page []byte) {
		for _, k := range mirror.AssetRefs(page) {
			if !strings.HasPrefix(k, layout.AssetPrefix) || store.CheckKey(k) != nil || !bytes.Contains(page, []byte(k)) {
				t.Fatalf("AssetRefs(%q) returned %q", page, k)
			}
		}
	})
}

func TestOutcome(t *testing.T) {
	failure := &verify.Failure{Object: "x", Err: errors.New("bad")}
	unchecked := errors.New("timeout")
	for _, c := range []struct {
		site error
		logs []error
		want string
	}{
		{nil, []error{nil, nil}, verify.ResultOK},
		{nil, []error{unchecked, nil}, verify.ResultUnchecked},
		{nil, []error{unchecked, failure}, verify.ResultFailed},
		{failure, nil, verify.ResultFailed},
		{failure, []error{unchecked}, verify.ResultFailed},
		{unchecked, []error{nil}, verify.ResultUnchecked},
	} {
		r := mirror.Result{Err: c.site}
		for _, e := range c.logs {
			l := mirror.LogResult{}
			l.Err = e
			r.Logs = append(r.Logs, l)
		}
		if got := r.Outcome(); got != c.want {
			t.Errorf("site %v logs %v: %s, want %s", c.site, c.logs, got, c.want)
		}
	}
}
