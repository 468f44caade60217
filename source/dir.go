package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Dir is a [Source] in a local directory of proof objects laid out as
// DIR/<epoch>/<hex prev>/<hex cur>, which is what `stele akd gen` writes.
//
// Only that layout is read. Names that are not keys ([ParseKey]) are
// ignored: DIR/root (the anchor `stele akd gen` writes beside the proofs),
// temporary files, an epoch directory with a leading zero, upper-case hex.
//
// # Symbolic links
//
// Symbolic links are followed only where an object's file belongs, and only
// to a regular file: DIR/<epoch>/<prev>/<cur> may be a link to a proof kept
// elsewhere, and its size is the target's. A link there to anything else (a
// directory, a device) or whose target is missing is ignored, like a
// directory where a file should be. The epoch and previous-root directories
// must be real directories: a link in their place is ignored, so that the
// layout cannot be assembled from links to arbitrary trees. The root itself
// may be a link. A link that cannot be resolved for another reason (a loop,
// permissions) is a transient error, from List and from Open alike.
//
// Open agrees with List: a name that List would ignore is reported as
// missing (an error wrapping [os.ErrNotExist]). Reads from an opened object
// fail once the context given to Open is done.
type Dir struct {
	root string
}

var _ Source = (*Dir)(nil)

// NewDir returns the source for the directory root. It is an error if root
// is not a directory (or a link to one); a missing root is an error wrapping
// [os.ErrNotExist].
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("source: empty directory path")
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("source: opening directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("source: opening directory %s: not a directory", root)
	}
	return &Dir{root: filepath.Clean(root)}, nil
}

// Location returns the directory's path, as given to NewDir but cleaned.
func (d *Dir) Location() string { return d.root }

// URL returns "": a local directory has no public URL.
func (d *Dir) URL(name string) string { return "" }

// List implements [Source.List].
func (d *Dir) List(ctx context.Context, epoch uint64) ([]Object, error) {
	objs, err := d.list(ctx, epoch)
	if err != nil {
		return nil, fmt.Errorf("source: listing epoch %d in %s: %w", epoch, d.root, err)
	}
	return objs, nil
}

func (d *Dir) list(ctx context.Context, epoch uint64) ([]Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	es := strconv.FormatUint(epoch, 10)
	edir := filepath.Join(d.root, es)
	prevs, err := readRealDir(edir)
	if err != nil {
		return nil, err
	}
	var objs []Object
	for _, p := range prevs {
		if !p.IsDir() || len(p.Name()) != rootHexLen {
			continue // not a directory (or a link to one), or not a root
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pdir := filepath.Join(edir, p.Name())
		curs, err := readRealDir(pdir)
		if err != nil {
			return nil, err
		}
		for _, c := range curs {
			name := es + "/" + p.Name() + "/" + c.Name()
			k, err := ParseKey(name)
			if err != nil {
				continue
			}
			size, ok, err := regularSize(filepath.Join(pdir, c.Name()), c)
			if err != nil {
				return nil, err
			}
			if ok {
				objs = append(objs, Object{Key: k, Name: name, Size: size})
			}
		}
	}
	return objs, nil
}

// readRealDir reads the entries of path if it is a directory and not a
// link to one; anything else, or nothing, at path has no entries.
func readRealDir(path string) ([]fs.DirEntry, error) {
	fi, err := os.Lstat(path)
	if isMissing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, nil
	}
	entries, err := os.ReadDir(path)
	if isMissing(err) {
		return nil, nil // removed since the Lstat
	}
	return entries, err
}

// regularSize reports whether the directory entry e at path is a regular
// file or a link to one, and its size.
func regularSize(path string, e fs.DirEntry) (size int64, ok bool, err error) {
	var fi fs.FileInfo
	switch t := e.Type(); {
	case t.IsRegular():
		fi, err = e.Info()
	case t&fs.ModeSymlink != 0:
		fi, err = os.Stat(path)
	default:
		return 0, false, nil
	}
	if isMissing(err) {
		return 0, false, nil // a dangling link, or removed since listed
	}
	if err != nil {
		return 0, false, err
	}
	if !fi.Mode().IsRegular() {
		return 0, false, nil
	}
	return fi.Size(), true, nil
}

// isMissing reports an error saying that a path, or one of its parents, is
// not there.
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Open implements [Source.Open].
func (d *Dir) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	r, err := d.open(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("source: opening %q in %s: %w", name, d.root, err)
	}
	return r, nil
}

func (d *Dir) open(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := ParseKey(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	segs := strings.Split(name, "/")
	edir := filepath.Join(d.root, segs[0])
	pdir := filepath.Join(edir, segs[1])
	for _, dir := range []string{edir, pdir} {
		fi, err := os.Lstat(dir)
		if isMissing(err) {
			return nil, fs.ErrNotExist
		}
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			return nil, fs.ErrNotExist
		}
	}
	path := filepath.Join(pdir, segs[2])
	// Stat before opening, so that a named pipe is never opened (that
	// would block); check again on the open file, which may have changed.
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() {
		return nil, fs.ErrNotExist
	}
	if isMissing(err) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if isMissing(err) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fs.ErrNotExist
		}
		return nil, err
	}
	return &fileReader{ctx: ctx, f: f}, nil
}

// fileReader reads an opened object until its context is done.
type fileReader struct {
	ctx context.Context
	f   *os.File
}

func (r *fileReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, fmt.Errorf("source: reading %s: %w", r.f.Name(), err)
	}
	return r.f.Read(p)
}

func (r *fileReader) Close() error { return r.f.Close() }
