package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"stele/store"
	"stele/tiles"
)

// gzipBytes compresses b deterministically: the same input gives the same
// bytes on every run (no name, no modification time in the header), so an
// interrupted run's leftovers compare equal to the rerun's.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("compressing bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// errMalformedBundle marks a bundle read whole that does not decode or
// parse: evidence (ErrCorrupt) where a checkpoint covers it.
var errMalformedBundle = errors.New("malformed entry bundle")

// readBundle fetches the entry bundle t and decodes it to exactly t.W
// entries. Bytes that do not decode or parse are an error wrapping
// errMalformedBundle; readCovered makes that ErrCorrupt.
func readBundle(ctx context.Context, st store.Store, t tlog.Tile) ([][]byte, error) {
	path := tiles.Path(t)
	obj, err := st.Get(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	data, err := tiles.DecodeBundleBytes(obj.Data, obj.ContentEncoding)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errMalformedBundle, path, err)
	}
	entries, err := tiles.ParseBundleN(data, t.W)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errMalformedBundle, path, err)
	}
	return entries, nil
}

// readCovered is readBundle for a bundle the published checkpoint covers:
// malformed bytes there are a corrupt log (exit 1), not a retry.
func readCovered(ctx context.Context, st store.Store, t tlog.Tile) ([][]byte, error) {
	entries, err := readBundle(ctx, st, t)
	if errors.Is(err, errMalformedBundle) {
		err = fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return entries, err
}

// coveredHashErr is for reading the authenticated hashes of the published
// tree: tiles that do not match its root, or do not parse, are a corrupt
// log (exit 1); the rest could not be read.
func coveredHashErr(err error) error {
	if errors.Is(err, tiles.ErrInconsistentTile) || errors.Is(err, tiles.ErrMalformedTile) {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
