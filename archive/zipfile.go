package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"stele/store"
)

// ErrUnsafeEntry means a zip holds an entry whose name is not a safe
// relative path (such as "../x" or "/etc/x"), or two entries of one name.
// The zip is refused as a whole.
var ErrUnsafeEntry = errors.New("archive: unsafe zip entry")

// maxEntryBytes bounds what one entry may decompress to.
const maxEntryBytes = store.DefaultMaxObjectBytes

// zipFile is one opened, checked zip.
type zipFile struct {
	path  string
	f     io.Closer // nil when reading from memory
	files map[string]*zip.File
}

// openZip opens the zip at path and checks every entry name.
func openZip(path string) (*zipFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("archive: %w", err)
	}
	z, err := readZip(path, f, fi.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	z.f = f
	return z, nil
}

// readZip reads the directory of the zip in r and checks every entry name;
// path names the zip in errors.
func readZip(path string, r io.ReaderAt, size int64) (*zipFile, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("archive: reading %s: %w", path, err)
	}
	files, err := checkEntries(zr.File)
	if err != nil {
		return nil, fmt.Errorf("%w in %s", err, path)
	}
	return &zipFile{path: path, files: files}, nil
}

// checkEntries indexes entries by name, refusing unsafe or duplicate
// names. Directory entries ("a/b/") are skipped.
func checkEntries(entries []*zip.File) (map[string]*zip.File, error) {
	files := make(map[string]*zip.File, len(entries))
	for _, e := range entries {
		name := e.Name
		if dir, ok := strings.CutSuffix(name, "/"); ok && e.Mode().IsDir() && store.CheckKey(dir) == nil && !strings.Contains(dir, `\`) {
			continue
		}
		if strings.Contains(name, `\`) || store.CheckKey(name) != nil {
			return nil, fmt.Errorf("%w: name %q is not a relative path inside the archive", ErrUnsafeEntry, name)
		}
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("%w: name %q appears twice", ErrUnsafeEntry, name)
		}
		if e.UncompressedSize64 > maxEntryBytes {
			return nil, fmt.Errorf("archive: entry %q of %d bytes is larger than the limit of %d", name, e.UncompressedSize64, maxEntryBytes)
		}
		files[name] = e
	}
	return files, nil
}

// read returns the bytes of an entry, checked against the zip's CRC-32.
func (z *zipFile) read(name string) ([]byte, error) {
	e, ok := z.files[name]
	if !ok {
		return nil, fmt.Errorf("archive: %s: no entry %q: %w", z.path, name, os.ErrNotExist)
	}
	r, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("archive: %s: opening %q: %w", z.path, name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxEntryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("archive: %s: reading %q: %w", z.path, name, err)
	}
	if uint64(len(data)) != e.UncompressedSize64 {
		return nil, fmt.Errorf("archive: %s: entry %q is %d bytes, its header says %d", z.path, name, len(data), e.UncompressedSize64)
	}
	return data, nil
}

func (z *zipFile) Close() error {
	if z.f == nil {
		return nil
	}
	return z.f.Close()
}
