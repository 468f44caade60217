// Package tiles implements the storage layout of C2SP tlog-tiles logs
// (https://c2sp.org/tlog-tiles) on top of golang.org/x/mod/sumdb/tlog,
// which does the Merkle tree arithmetic.
//
// The package adds what tlog leaves out: the C2SP spelling of tile paths,
// entry bundles, the list of objects that growing a log creates, and a
// tile reader that fetches tiles from any object store and authenticates
// them against a tree head before they are used.
//
// # Tiles and paths
//
// A tile is a [tlog.Tile] of height [Height]. Level L >= 0 holds hashes: a
// full tile is [Width] consecutive hashes of the tree at level 8*L, 8,192
// bytes. Level -1 holds the log entries themselves, as entry bundles.
// [Path] and [ParsePath] convert between tiles and their paths relative to
// the log root:
//
//	tile/0/x001/x234/067       full level-0 hash tile number 1234067
//	tile/1/000.p/17            partial level-1 tile of width 17
//	tile/entries/273.p/112     partial entry bundle holding 112 entries
//
// tlog's own [tlog.Tile.Path] uses the older sumdb spelling
// (tile/8/0/..., tile/8/data/...); never store objects under it.
//
// # Entry bundles
//
// An entry bundle is the concatenation of its entries, each prefixed with
// its length as a big-endian uint16, so no entry can exceed [MaxEntrySize]
// bytes. [AppendEntry] builds bundles; [ParseBundle] and [ParseBundleN]
// take them apart, rejecting anything that does not re-encode to the same
// bytes.
//
// # Growing a log
//
// When a log grows from one size to another, [HashTiles] lists the hash
// tiles to upload, with their contents, and [BundleTiles] lists the entry
// bundles. Full tiles never change once written; partial tiles are written
// once per published size and may be deleted once the full tile exists.
//
// # Reading a log
//
// A [Fetcher] reads objects by path. [NewTileReader] turns it into a
// [tlog.TileReader] that falls back from a missing partial tile to the full
// one, and [HashReader] stacks [tlog.TileHashReader] and a small cache of
// authenticated tiles on top, so that every hash it returns is proven to
// belong to the given tree.
//
// # Errors
//
// Bytes that cannot be what they claim to be are reported with errors
// wrapping [ErrMalformedPath], [ErrMalformedBundle], [ErrMalformedTile] or
// [ErrInconsistentTile]. Errors from a Fetcher are passed through wrapped,
// so callers can tell "could not fetch" (retry later; [os.ErrNotExist] when
// an object is missing) from "fetched, and it is wrong" (evidence).
package tiles

import "golang.org/x/mod/sumdb/tlog"

const (
	// Height is the height of every tile: a full tile covers 2**Height
	// hashes of the level below.
	Height = 8
	// Width is the number of hashes in a full tile, or of entries in a
	// full entry bundle.
	Width = 1 << Height
	// MaxEntrySize is the largest entry an entry bundle can hold: its
	// length prefix is a big-endian uint16.
	MaxEntrySize = 65535
)

// TileSize is the length in bytes of a full hash tile.
const TileSize = Width * tlog.HashSize
