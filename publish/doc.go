// Package publish writes stele's logs: it appends entries to C2SP
// tlog-tiles logs held in a [store.Store] and publishes their tiles, entry
// bundles and signed checkpoints in the crash-safe order of the design
// ("Writing safely" in the specification):
//
//  1. entry bundles and hash tiles, created if absent (immutable);
//  2. everything else the caller adds for the new size (pages, API objects);
//  3. the checkpoint, last, by compare-and-swap on the one that was read,
//     which first makes every earlier write durable.
//
// A run killed at any point leaves either the old or the new checkpoint
// visible, and every tile the visible checkpoint covers is complete; objects
// written beyond it are rewritten with identical bytes by the next run.
//
// # Logs
//
// [AppendLog] is the general static-log publisher behind `stele append`:
// any entries, one per call element. The audit job builds on the same
// [Log] type.
package publish
