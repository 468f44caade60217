// Command gen writes a small tlog-tiles log with Tessera's POSIX storage
// driver, for stele's interoperability test (verify/foreign_test.go).
//
// Run it from this directory: `go run .`. It replaces ../log and ../vkey.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// origin is the checkpoint origin line and the key name.
const origin = "tessera.example/golden"

// batches are the sizes of the appends, each made by a fresh appender over
// the log left by the previous one. With 256-entry tiles they give:
//
//	100 -> size 100: partial tile 0 (100)
//	156 -> size 256: tile 0 completed exactly, first level-1 hash
//	300 -> size 556: full tile 1 plus partial tile 2 (44) in one batch
//	144 -> size 700: partial tile 2 (188), level-1 partial of width 2
var batches = []int{100, 156, 300, 144}

// Entry returns the bytes of entry i. The test in verify/foreign_test.go
// expects exactly this text.
func Entry(i int) []byte { return fmt.Appendf(nil, "tessera entry %d", i) }

// seedText is hashed into the Ed25519 seed of the signing key. It is not a
// secret: the key exists only to sign this test log.
const seedText = "stele testdata: tessera golden log key"

func main() {
	out := flag.String("out", "../log", "directory to write the log into (replaced)")
	vkeyPath := flag.String("vkey", "../vkey", "file to write the verifier key into")
	flag.Parse()
	if err := run(*out, *vkeyPath); err != nil {
		log.Fatal(err)
	}
}

func run(out, vkeyPath string) error {
	signer, vkey, err := newKey()
	if err != nil {
		return err
	}
	if err := clearLog(out); err != nil {
		return err
	}
	n := 0
	for _, b := range batches {
		if err := appendBatch(out, signer, n, b); err != nil {
			return fmt.Errorf("appending entries %d..%d: %w", n, n+b-1, err)
		}
		n += b
	}
	// Tessera's private coordination state (tree state, version, lock
	// files) is not part of the published layout.
	if err := os.RemoveAll(filepath.Join(out, ".state")); err != nil {
		return err
	}
	if err := os.WriteFile(vkeyPath, []byte(vkey+"\n"), 0o644); err != nil {
		return err
	}
	return listLog(out, n)
}

// ed25519Signer is a note.Signer over a fixed Ed25519 key.
type ed25519Signer struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
}

func (s *ed25519Signer) Name() string                    { return s.name }
func (s *ed25519Signer) KeyHash() uint32                 { return s.hash }
func (s *ed25519Signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.priv, msg), nil }

// newKey derives the log's signing key from seedText and returns it with
// its verifier key string.
func newKey() (note.Signer, string, error) {
	seed := sha256.Sum256([]byte(seedText))
	priv := ed25519.NewKeyFromSeed(seed[:])
	vkey, err := note.NewEd25519VerifierKey(origin, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, "", err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", err
	}
	return &ed25519Signer{name: origin, hash: v.KeyHash(), priv: priv}, vkey, nil
}

// clearLog removes a previous output so the log starts empty. It refuses to
// remove a non-empty directory that does not look like a log.
func clearLog(out string) error {
	des, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(des) > 0 {
		if _, err := os.Stat(filepath.Join(out, "checkpoint")); err != nil {
			return fmt.Errorf("%s is not empty and has no checkpoint; not removing it", out)
		}
	}
	return os.RemoveAll(out)
}

// appendBatch opens the log in out with a new appender, adds entries
// first..first+count-1 as one sequencing batch, and shuts the appender down
// once a checkpoint covering them is published.
func appendBatch(out string, signer note.Signer, first, count int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	driver, err := posix.New(ctx, posix.Config{Path: out})
	if err != nil {
		return err
	}
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(signer).
		// The batch is cut when its last entry arrives; the age limit
		// only has to be long enough never to cut it earlier.
		WithBatching(uint(count), time.Hour).
		WithCheckpointInterval(200 * time.Millisecond).
		// No garbage collection: which superseded partial tiles it would
		// have removed by the end depends on timing.
		WithGarbageCollectionInterval(0)
	appender, shutdown, _, err := tessera.NewAppender(ctx, driver, opts)
	if err != nil {
		return err
	}
	futures := make([]tessera.IndexFuture, count)
	for i := range count {
		futures[i] = appender.Add(ctx, tessera.NewEntry(Entry(first+i)))
	}
	for i, f := range futures {
		idx, err := f()
		if err != nil {
			return err
		}
		if want := uint64(first + i); idx.Index != want || idx.IsDup {
			return fmt.Errorf("entry %d got index %d (dup %v)", want, idx.Index, idx.IsDup)
		}
	}
	sctx, scancel := context.WithTimeout(ctx, time.Minute)
	defer scancel()
	return shutdown(sctx)
}

// listLog prints the files of the log and checks that the checkpoint
// commits to size entries.
func listLog(out string, size int) error {
	cp, err := os.ReadFile(filepath.Join(out, "checkpoint"))
	if err != nil {
		return err
	}
	lines := strings.SplitN(string(cp), "\n", 3)
	if len(lines) < 3 || lines[0] != origin || lines[1] != fmt.Sprint(size) {
		return fmt.Errorf("checkpoint does not commit to %d entries:\n%s", size, cp)
	}
	files := 0
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, p)
		if err != nil {
			return err
		}
		files++
		fmt.Println(filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d entries, %d files\n", size, files)
	return nil
}
