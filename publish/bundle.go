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

// readBundle fetches the entry bundle t and decodes it to exactly t.W
// entries.
func readBundle(ctx context.Context, st store.Store, t tlog.Tile) ([][]byte, error) {
	path := tiles.Path(t)
	obj, err := st.Get(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	data, err := tiles.DecodeBundleBytes(obj.Data, obj.ContentEncoding)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	entries, err := tiles.ParseBundleN(data, t.W)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
