// Package archive packs a log into zip files for bulk download, and reads
// such archives back as a read-only [store.Store], so that stele verify
// can audit a log from its archives with no network.
//
// It implements "stele archive DIR OUT" of stele's design document
// (stele.md, "Commands"): a log is packed as OUT/<namespace>/NNN.zip (a
// log at the root of DIR, one not in a site, as OUT/NNN.zip).
//
// # Layout
//
// The layout is the one torchwood's TileArchiveFS reads (and the archives
// of Sunlight logs use). Zip k holds the subtree of level-2 hash tile k:
//
//   - the full tiles of levels 0, 1 and 2 and the full entry bundles whose
//     entries fall in that subtree (256³ entries: level-2 tile k itself,
//     level-1 tiles 256k to 256k+255, level-0 tiles and entry bundles
//     65536k to 65536k+65535);
//
// and, in every zip alike,
//
//   - the log's checkpoint,
//   - every tile above level 2,
//   - every partial tile and the partial entry bundle of the right edge.
//
// Entry names are the C2SP tlog-tiles paths relative to the log
// ("checkpoint", "tile/0/x001/234", "tile/entries/005.p/17"). Zips are
// named by k in at least three decimal digits (000.zip, 001.zip, ...,
// 1000.zip), as torchwood formats them.
//
// So each zip holds everything needed to check its own entries against
// the signed checkpoint: the hashes of its subtree lead to level-2 tile k,
// and the upper tiles and right edge shared by every zip lead from there
// to the checkpoint's root.
//
// Where stele differs from that layout: entry bundles are stored as the
// log stores them, usually gzip-compressed (torchwood reads those with its
// WithGzipDataTiles option; stele's readers detect gzip by its magic
// bytes); zip entries are stored uncompressed except the checkpoint, since
// tiles do not compress and bundles already are; and only the current
// checkpoint is packed, not the archived checkpoints nor history.
//
// # Reading
//
// [OpenStore] opens one zip, a directory of NNN.zip files (one log), or a
// directory of such directories (a site: its keys are
// "logs/<namespace>/..."). Entries whose names are not safe relative
// paths ("../x", "/etc/x", "a//b", backslashes, names starting with a
// dot) make the whole zip refused with an error wrapping [ErrUnsafeEntry]:
// nothing in an archive can name a file outside it.
package archive
