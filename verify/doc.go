// Package verify audits published logs without trusting their publisher:
// it checks a log's signed checkpoint, fetches every hash tile and entry
// bundle, rebuilds the whole Merkle tree from the entries and compares it
// with the tiles and with the checkpoint's root.
//
// It verifies any C2SP tlog-tiles log (entries are opaque unless the caller
// checks them through [Options.Entry]), read through a [store.Store]: a
// local directory, a site over HTTP(S), or any other store.
//
// # Outcomes
//
// Every check ends in one of three results, kept apart because they call
// for different actions:
//   - ok: the checkpoint is signed by a trusted key, every tile and bundle
//     matches the tree it commits to;
//   - failed: complete bytes failed to parse, hash or verify; the error is a
//     [*Failure] naming the object and what differed. This is evidence;
//   - unchecked: an object could not be fetched or arrived short. Nothing is
//     known to be wrong; try again.
//
// # Cost
//
// The tree is rebuilt in one streaming pass over the entries with a stack
// of subtree roots, so memory does not grow with the log: one hash per tree
// level, one tile per tile level, and a bounded window of prefetched
// bundles. Each entry costs one leaf hash and, amortised, one node hash.
//
// # Incremental checks
//
// With [Options.Resume], a verification continues from a remembered
// [State] (kept per origin by a [StateDir]): the new tree must contain the
// remembered one, which is computed from the new tree's own tiles, else the
// result is a [*SplitView] failure; then only the new entries are read,
// the tree rebuild seeded with the remembered tree's subtree roots. The
// archived checkpoints a log lists in "history" must all be prefixes of
// the current tree too (see the specification's "Verification state").
package verify
