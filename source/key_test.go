package source_test

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"stele/source"
)

const (
	hexA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	hexB = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
)

// keyPattern is the key pattern as the design document writes it; the
// epoch must also fit in a uint64.
var keyPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)/[0-9a-f]{64}/[0-9a-f]{64}$`)

func TestParseKey(t *testing.T) {
	good := []struct {
		name  string
		epoch uint64
	}{
		{"0/" + hexA + "/" + hexB, 0},
		{"1/" + hexA + "/" + hexB, 1},
		{"624700/" + hexA + "/" + hexA, 624700},
		{"99999/" + hexB + "/" + hexA, 99999},
		{"18446744073709551615/" + hexA + "/" + hexB, math.MaxUint64},
	}
	for _, tt := range good {
		k, err := source.ParseKey(tt.name)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", tt.name, err)
			continue
		}
		if k.Epoch != tt.epoch || k.String() != tt.name {
			t.Errorf("ParseKey(%q) = epoch %d, %s", tt.name, k.Epoch, k)
		}
	}
	bad := []string{
		"",
		"root",
		"12",
		"12/",
		"12/" + hexA,
		"12/" + hexA + "/",
		"12/" + hexA + "/" + hexB + "/",
		"12/" + hexA + "/" + hexB + "/extra",
		"/12/" + hexA + "/" + hexB,
		"12//" + hexA + "/" + hexB,
		"12/notahex/" + hexB,
		"12/" + hexA[:63] + "/" + hexB,
		"12/" + hexA + "0/" + hexB,
		"12/" + hexA + "/" + hexB + "0",
		"12/" + strings.ToUpper(hexA) + "/" + hexB,
		"12/" + hexA + "/" + strings.ToUpper(hexB),
		"12/" + hexA[:63] + "g/" + hexB,
		"12/" + hexA + "/" + hexB + ".tmp",
		"12/" + hexA + "/" + hexB + "\n",
		"007/" + hexA + "/" + hexB,
		"00/" + hexA + "/" + hexB,
		"+12/" + hexA + "/" + hexB,
		"-1/" + hexA + "/" + hexB,
		" 12/" + hexA + "/" + hexB,
		"1_2/" + hexA + "/" + hexB,
		"0x12/" + hexA + "/" + hexB,
		"/" + hexA + "/" + hexB,
		"18446744073709551616/" + hexA + "/" + hexB,
		"99999999999999999999999/" + hexA + "/" + hexB,
		"12\\" + hexA + "\\" + hexB,
	}
	for _, name := range bad {
		if k, err := source.ParseKey(name); !errors.Is(err, source.ErrInvalidKey) {
			t.Errorf("ParseKey(%q) = %v, %v; want an error wrapping ErrInvalidKey", name, k, err)
		}
	}
}

// TestParseKeyFlip is the negative control: changing any one byte of a key
// either makes it invalid or makes it a different key.
func TestParseKeyFlip(t *testing.T) {
	name := "624700/" + hexA + "/" + hexB
	orig, err := source.ParseKey(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(name) {
		for _, d := range []byte{1, 0x20, 0x80} {
			b := []byte(name)
			b[i] ^= d
			k, err := source.ParseKey(string(b))
			if err == nil && k == orig {
				t.Errorf("ParseKey(%q) = the key of %q", b, name)
			}
		}
	}
}

func TestKeyString(t *testing.T) {
	var k source.Key
	want := "0/" + strings.Repeat("0", 64) + "/" + strings.Repeat("0", 64)
	if got := k.String(); got != want {
		t.Errorf("zero Key.String() = %q, want %q", got, want)
	}
	k = source.Key{Epoch: 10}
	k.Prev[0], k.Cur[31] = 0xab, 0xcd
	want = "10/ab" + strings.Repeat("0", 62) + "/" + strings.Repeat("0", 62) + "cd"
	if got := k.String(); got != want {
		t.Errorf("Key.String() = %q, want %q", got, want)
	}
}

// matches is the oracle for ParseKey: the pattern, and an epoch that fits.
func matches(name string) bool {
	if !keyPattern.MatchString(name) {
		return false
	}
	_, err := strconv.ParseUint(name[:strings.IndexByte(name, '/')], 10, 64)
	return err == nil
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		"0/" + hexA + "/" + hexB,
		"18446744073709551615/" + hexA + "/" + hexB,
		"18446744073709551616/" + hexA + "/" + hexB,
		"007/" + hexA + "/" + hexB,
		"12/" + strings.ToUpper(hexA) + "/" + hexB,
		"12/" + hexA + "/" + hexB + "/",
		"root",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k, err := source.ParseKey(name)
		if want := matches(name); (err == nil) != want {
			t.Fatalf("ParseKey(%q) error = %v, but the pattern says valid = %v", name, err, want)
		}
		if err != nil {
			if !errors.Is(err, source.ErrInvalidKey) {
				t.Fatalf("ParseKey(%q) error = %v, want one wrapping ErrInvalidKey", name, err)
			}
			return
		}
		if s := k.String(); s != name {
			t.Fatalf("ParseKey(%q).String() = %q", name, s)
		}
		k2, err := source.ParseKey(k.String())
		if err != nil || k2 != k {
			t.Fatalf("ParseKey(%q) round trip = %v, %v", k.String(), k2, err)
		}
	})
}
