package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/store"
	"stele/tiles"
)

// PackResult describes the zips Pack wrote.
type PackResult struct {
	Size  int64    // the log size of the checkpoint packed
	Files []string // the zip files written, in order
	Bytes int64    // their total size
}

// Pack writes the log in st (keys "checkpoint", "tile/...") as zip files
// 000.zip, 001.zip, ... in the directory dir, which it creates if needed
// (see the package documentation for what each holds). Each zip is written
// to a temporary file, flushed to disk and renamed into place, so a zip
// that exists is complete. Pack copies bytes; it does not verify them
// (verify the result through [OpenStore]). A partial tile missing from st
// is replaced by the full tile, as a tlog-tiles client would read it.
func Pack(ctx context.Context, st store.Store, dir string) (PackResult, error) {
	return layout{level: DefaultLevel}.pack(ctx, st, dir)
}

func (lo layout) pack(ctx context.Context, st store.Store, dir string) (PackResult, error) {
	var res PackResult
	cp, err := st.Get(ctx, "checkpoint")
	if err != nil {
		return res, fmt.Errorf("archive: reading the checkpoint: %w", err)
	}
	size, err := noteSize(cp.Data)
	if err != nil {
		return res, fmt.Errorf("archive: %w", err)
	}
	res.Size = size
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("archive: %w", err)
	}
	shared := lo.shared(size)
	for k := int64(0); k < lo.zips(size); k++ {
		name := filepath.Join(dir, ZipName(k))
		n, err := writeZip(name, func(zw *zip.Writer) error {
			if err := addEntry(zw, "checkpoint", cp.Data, zip.Deflate); err != nil {
				return err
			}
			for _, t := range shared {
				if err := addTile(ctx, zw, st, t); err != nil {
					return err
				}
			}
			return lo.owned(size, k, func(t tlog.Tile) error { return addTile(ctx, zw, st, t) })
		})
		if err != nil {
			return res, fmt.Errorf("archive: writing %s: %w", name, err)
		}
		res.Files = append(res.Files, name)
		res.Bytes += n
	}
	return res, nil
}

// ZipName is the file name of zip k: at least three decimal digits.
func ZipName(k int64) string { return fmt.Sprintf("%03d.zip", k) }

// noteSize returns the tree size of a checkpoint note, unverified: only
// the number of tiles depends on it, and the archive is verified as a
// whole by its readers.
func noteSize(note []byte) (int64, error) {
	i := bytes.Index(note, []byte("\n\n"))
	if i < 0 {
		return 0, fmt.Errorf("checkpoint is not a signed note")
	}
	c, err := checkpoint.Parse(note[:i+1])
	if err != nil {
		return 0, err
	}
	return c.Size, nil
}

// addTile copies tile t from st into the zip, or the full tile when a
// partial one is missing.
func addTile(ctx context.Context, zw *zip.Writer, st store.Store, t tlog.Tile) error {
	path := tiles.Path(t)
	obj, err := st.Get(ctx, path)
	if errors.Is(err, os.ErrNotExist) && t.W < tiles.Width {
		full := t
		full.W = tiles.Width
		if fobj, ferr := st.Get(ctx, tiles.Path(full)); ferr == nil {
			obj, err, path = fobj, nil, tiles.Path(full)
		}
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return addEntry(zw, path, obj.Data, zip.Store)
}

func addEntry(zw *zip.Writer, name string, data []byte, method uint16) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// writeZip writes a zip file through a temporary file in the same
// directory, synced and renamed into place; it returns the file's size.
func writeZip(name string, fill func(*zip.Writer) error) (size int64, err error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*.zip")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	if err := fill(zw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return 0, err
	}
	if d, err := os.Open(filepath.Dir(name)); err == nil {
		d.Sync()
		d.Close()
	}
	return fi.Size(), nil
}
