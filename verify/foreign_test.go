package verify_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

// The golden log in testdata/tessera was written by Tessera's POSIX
// storage driver (see testdata/tessera/gen): tesseraEntries entries, each
// tesseraEntry(i), appended in batches of 100, 156, 300 and 144.
const (
	tesseraLog     = "../testdata/tessera/log"
	tesseraVKey    = "../testdata/tessera/vkey"
	tesseraOrigin  = "tessera.example/golden"
	tesseraEntries = 700
)

func tesseraEntry(i int64) []byte { return fmt.Appendf(nil, "tessera entry %d", i) }

func tesseraVerifier(t *testing.T) *checkpoint.Verifier {
	t.Helper()
	b, err := os.ReadFile(tesseraVKey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verifyTessera verifies the log in dir, checking every entry's bytes
// against what the generator wrote.
func verifyTessera(t *testing.T, dir string) (verify.Result, int64) {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var seen int64
	opts := verify.Options{
		Entry: func(i int64, e []byte) error {
			if i != seen {
				return fmt.Errorf("entry %d delivered when %d was due", i, seen)
			}
			if want := tesseraEntry(i); !bytes.Equal(e, want) {
				return fmt.Errorf("entry %d is %q, the generator wrote %q", i, e, want)
			}
			seen++
			return nil
		},
	}
	r := verify.Log(t.Context(), st, []*checkpoint.Verifier{tesseraVerifier(t)}, opts)
	return r, seen
}

func TestVerifyTesseraLog(t *testing.T) {
	r, seen := verifyTessera(t, tesseraLog)
	if r.Err != nil {
		t.Fatalf("verify: %v", r.Err)
	}
	if r.Origin != tesseraOrigin || r.Size != tesseraEntries || r.EntriesChecked != r.Size || seen != r.Size {
		t.Fatalf("origin %q, size %d, checked %d, delivered %d; want %q with %d entries all checked",
			r.Origin, r.Size, r.EntriesChecked, seen, tesseraOrigin, tesseraEntries)
	}
}

// TestVerifyTesseraLogDamaged is the negative control: the same log with
// one byte of one entry changed must fail, wherever the entry's bundle is.
// Damage to a superseded partial bundle, which Tessera leaves behind and
// no reader of the current checkpoint needs, must not matter.
func TestVerifyTesseraLogDamaged(t *testing.T) {
	cases := []struct {
		bundle string
		entry  int64
		result string
	}{
		{"tile/entries/000", 7, verify.ResultFailed},
		{"tile/entries/001", 300, verify.ResultFailed},
		{"tile/entries/002.p/188", 699, verify.ResultFailed},
		{"tile/entries/002.p/44", 520, verify.ResultOK},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.bundle, c.entry), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "log")
			if err := os.CopyFS(dir, os.DirFS(tesseraLog)); err != nil {
				t.Fatal(err)
			}
			damageEntry(t, filepath.Join(dir, filepath.FromSlash(c.bundle)), tesseraEntry(c.entry))
			r, _ := verifyTessera(t, dir)
			if got := verify.Classify(r.Err); got != c.result {
				t.Fatalf("result %q (%v), want %q", got, r.Err, c.result)
			}
			if c.result == verify.ResultOK && r.EntriesChecked != tesseraEntries {
				t.Fatalf("checked %d entries, want %d", r.EntriesChecked, tesseraEntries)
			}
		})
	}
}

// damageEntry flips the last byte of the entry text e in the entry bundle
// at p, keeping its length. A gzipped bundle is changed inside and
// compressed again, so that the damage is in the content.
func damageEntry(t *testing.T, p string, e []byte) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	zipped := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
	if zipped {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	// Entries are stored as a 2-byte big-endian length and the bytes.
	rec := append([]byte{byte(len(e) >> 8), byte(len(e))}, e...)
	at := bytes.Index(data, rec)
	if at < 0 {
		t.Fatalf("%s does not hold %q", p, e)
	}
	data[at+len(rec)-1] ^= 0x01
	if zipped {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data = buf.Bytes()
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
