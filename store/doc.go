// Package store holds stele's object stores, the only place where the
// publisher and the verifier meet: the publisher writes a site's objects into
// a [Store], and the verifier, the mirror and the static server read them
// back, from a local directory or over HTTP.
//
// It implements three sections of stele's design document (stele.md):
// "Objects under the site root" (objects carry the metadata a static host
// sends: content type, cache control, content encoding), "Keys that are also
// prefixes" (stores that cannot hold both refuse with [ErrPrefixConflict];
// callers store such objects at <key>/index.html) and "Writing safely"
// (immutable objects by create-if-absent, the checkpoint by compare-and-swap,
// batched durability before the swap).
//
// # Keys
//
// A key is a slash-separated relative path such as
// "logs/example/tile/0/000". Segments are non-empty and do not start with
// "." (so "." and ".." are out, and names starting with "." are left to the
// stores' own bookkeeping); a key has no leading or trailing slash, no NUL
// byte and is valid UTF-8. [CheckKey] applies these rules; every method of
// every store applies them too.
//
// # Stores
//
//   - [Dir] is a local directory holding the site tree itself: key a/b/c is
//     the file a/b/c under the root, so any static web server can serve it.
//   - [S3] is a bucket (`s3://BUCKET/PREFIX?region=&endpoint=&use_path_style=`):
//     conditional writes (If-None-Match: * to create, If-Match to swap),
//     bounded parallel uploads, the SDK's retries; see [OpenS3].
//   - [HTTP] reads a published site over HTTP(S); it cannot write or list.
//   - [Sub] is a view of another store under a key prefix, such as one log's
//     "logs/<namespace>/".
//   - [Open] picks one from a command-line target.
//
// The conformance suite in package stele/store/storetest checks a Store
// against the contract written on [Store]; every implementation runs it.
//
// # The directory store
//
// See [Dir] for its layout, its crash-safety argument and its locking. In
// short: writes go to temporary files and stay invisible to other readers
// until [Dir.Sync] (or [Dir.Swap], which syncs first) flushes them all in one
// batch and only then renames or links them into place. A crash therefore
// never leaves a visible object that is not complete.
package store
