package verify

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"stele/store"
	"stele/tiles"
)

// dataReader is the optional cheap read path of a store, which
// [store.Dir] implements: an object's bytes without the ETag (which costs a
// hash of the whole object) and without metadata, and the metadata on its
// own, as recorded rather than checked against the bytes.
//
// AppendData appends the bytes Get would return as Object.Data to buf; its
// errors are Get's (os.ErrNotExist for a missing object).
// RecordedMetadata returns either the Metadata that Get would return or,
// when the store's record of it is stale, a Metadata where Get would return
// none: never anything else. The verifier needs no more than that, because
// everything it reads is authenticated by hashes, and the only metadata it
// uses, a bundle's content encoding, is settled with Get whenever a stale
// record could change the outcome (see bundleData).
type dataReader interface {
	AppendData(ctx context.Context, key string, buf []byte) ([]byte, error)
	RecordedMetadata(ctx context.Context, key string) (store.Metadata, error)
}

var _ dataReader = (*store.Dir)(nil)

// objects reads the tiles and bundles of one log: through the store's
// dataReader when it has one, through Get otherwise.
type objects struct {
	st   store.Store
	fast dataReader // nil: use st.Get
}

func newObjects(st store.Store) objects {
	o := objects{st: st}
	o.fast, _ = st.(dataReader)
	return o
}

// stored is an object as read: its bytes, the content encoding they are
// said to have, and whether that comes from a store's record (a
// dataReader's RecordedMetadata) rather than from Get.
type stored struct {
	data     []byte
	encoding string
	recorded bool
}

// read reads the object at key, appending its bytes to buf, and its
// content encoding if withEncoding. With Get, data is Object.Data itself
// (which belongs to the caller), not a copy.
func (o objects) read(ctx context.Context, key string, buf []byte, withEncoding bool) (stored, error) {
	if o.fast == nil {
		obj, err := o.st.Get(ctx, key)
		if err != nil {
			return stored{data: buf}, err
		}
		return stored{data: obj.Data, encoding: obj.ContentEncoding}, nil
	}
	data, err := o.fast.AppendData(ctx, key, buf)
	if err != nil || !withEncoding {
		return stored{data: data}, err
	}
	md, err := o.fast.RecordedMetadata(ctx, key)
	return stored{data: data, encoding: md.ContentEncoding, recorded: true}, err
}

// readTile reads tile t (a hash tile or an entry bundle) into buf, or the
// full tile when t is a missing partial one (C2SP: a client may find the
// full tile in place of an outdated partial). It returns the path it read
// and whether that is the full tile.
func (o objects) readTile(ctx context.Context, t tlog.Tile, buf []byte, withEncoding bool) (s stored, path string, full bool, err error) {
	path = tiles.Path(t)
	s, err = o.read(ctx, path, buf[:0], withEncoding)
	if errors.Is(err, os.ErrNotExist) && t.W < tiles.Width {
		ft := t
		ft.W = tiles.Width
		if fst, ferr := o.read(ctx, tiles.Path(ft), buf[:0], withEncoding); ferr == nil {
			return fst, tiles.Path(ft), true, nil
		}
	}
	if err != nil {
		return s, path, false, fmt.Errorf("fetching %s: %w", path, err)
	}
	return s, path, false, nil
}

// tileData reads hash tile t into buf and checks its length. It returns
// the tile's t.W hashes, the bytes read (to reuse as buf), and the path it
// read them from.
func (o objects) tileData(ctx context.Context, t tlog.Tile, buf []byte) (hashes, raw []byte, path string, err error) {
	s, path, full, err := o.readTile(ctx, t, buf, false)
	if err != nil {
		return nil, s.data, path, err
	}
	want := t.W * tlog.HashSize
	if full {
		want = tiles.TileSize
	}
	if len(s.data) != want {
		return nil, s.data, path, failf(path, "tile is %d bytes, want %d", len(s.data), want)
	}
	return s.data[:t.W*tlog.HashSize], s.data, path, nil
}

// bundleData reads entry bundle t into buf and undoes its content encoding
// with dec. It returns the decoded bytes (valid until the next use of raw
// or dec), the bytes read (to reuse as buf), the path it read them from
// and the number of entries that bundle holds.
//
// Through Get the encoding is the one Get reports. Through a dataReader it
// is the recorded one, which gives the same result: when the record says
// none (or "identity"), so would Get, stale record or not, since Get says
// either the same or nothing; when it says "gzip" and the bytes
// decompress, Get's "gzip" or nothing would decompress them alike. In every
// other case (a failed decompression, an encoding the decoder does not
// know) the record might be stale, and Get decides.
func (o objects) bundleData(ctx context.Context, t tlog.Tile, buf []byte, dec *tiles.BundleDecoder) (data, raw []byte, path string, width int, err error) {
	s, path, full, err := o.readTile(ctx, t, buf, true)
	width = t.W
	if full {
		width = tiles.Width
	}
	if err != nil {
		return nil, s.data, path, width, err
	}
	data, err = dec.Decode(s.data, s.encoding)
	if err != nil && s.recorded {
		obj, gerr := o.st.Get(ctx, path)
		if gerr != nil {
			return nil, s.data, path, width, fmt.Errorf("fetching %s: %w", path, gerr)
		}
		data, err = dec.Decode(obj.Data, obj.ContentEncoding)
	}
	if err != nil {
		return nil, s.data, path, width, &Failure{Object: path, Err: err}
	}
	return data, s.data, path, width, nil
}
