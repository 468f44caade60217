// Package mirror downloads a complete, verified copy of a published stele
// site (or of any C2SP tlog-tiles log) into a local store, so that the copy
// can be audited and served with no network.
//
// It implements the "stele mirror URL DIR" command of stele's design
// document (stele.md, "Commands" and "Objects under the site root"): every
// log's checkpoint, hash tiles and entry bundles, the archived checkpoints
// listed by logs/<ns>/history, the Plexi API objects (info, the namespace
// list, each namespace's info, last-verified-epoch and the audit of every
// signed epoch) and the site's HTML pages and assets.
//
// # Verifying as it goes
//
// Each log is downloaded by verifying it: [verify.Log] runs over a "tee"
// store that reads every object from the source and writes what it read
// into the destination, so the verifier's complete traversal of the log is
// the download. The checkpoint is held back and written last, after the
// log verified, so a local checkpoint always covers a complete, verified
// copy; an interrupted or failed mirror leaves the previous local
// checkpoint (if any) in place.
//
// # The API agrees with the log
//
// Each audit object (namespaces/<ns>/audits/<epoch>, what a Plexi client
// reads) must be the signature response of the log's record of that
// epoch: the same namespace, epoch, digest, timestamp, ciphersuite, key ID
// and signature. One that differs, or does not parse, fails the log: the
// site shows Plexi clients a statement its log does not hold. (The
// mirror keeps 40 bytes per signed record for this: the epoch and a
// fingerprint of the statement.)
//
// # Resuming
//
// Objects that never change once published (hash tiles, entry bundles,
// archived checkpoints, audits, pages served as immutable) are not fetched
// again when a local copy exists. Nothing local is trusted for that: the
// verifier re-hashes every tile and bundle it reads, local or not. If a log
// fails to verify while local copies were used, it is verified again from
// the source alone; local copies that differ are replaced only if that
// succeeds and the source extends the local checkpoint, so a copy damaged
// in an earlier run cannot wedge the mirror, and a source that lies cannot
// damage a good copy.
//
// # Never backwards
//
// A log's local checkpoint is replaced only by one that extends it: a
// smaller tree (a rollback), the same size with another root (a split
// view) or a tree that does not contain the local one (proved from the
// verified tiles) fails the log, naming both checkpoints, and leaves the
// local copy as it was.
// The destination is synced regularly (and when the mirror stops, even on
// cancellation), so an interrupted mirror keeps what it fetched.
//
// # Bytes as received
//
// Objects are stored with the metadata the source sent (Content-Type,
// Cache-Control, Content-Encoding), so a static server of the copy serves
// them as the original did. Entry bundles and pages are kept exactly as
// received (gzip stays gzip); objects that stele's readers parse directly
// (hash tiles, checkpoints, JSON) are stored decoded if a server chose to
// compress them in transit.
package mirror
