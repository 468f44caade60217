// Package site serves and renders the published website: the static host
// that `stele serve` runs, the HTML pages, the Plexi JSON API objects and the
// in-browser verifier. It implements the site part of stele's specification
// (stele.md, "Objects under the site root") and Plexi's read API (plexi.md);
// the objects' names and metadata are package layout's.
//
// # Serving
//
// [Handler] answers HTTP requests from a [store.Store] the way an S3
// website endpoint or nginx with try_files would: the object's stored
// content type, cache control and content encoding; 404 for anything
// absent; "/" and "/x/" from "index.html" and "x/index.html"; and "/x" from
// "x/index.html" when no object "x" exists, which is how the design stores
// objects whose key is also a prefix (Plexi's /namespaces/<ns>).
//
// # Plexi API
//
// [Info], [Namespaces], [NamespaceInfo] and [LastVerifiedEpoch] have
// Plexi's JSON shapes, field names and order (the golden files in
// testdata/ pin them); an epoch's signature is the audit record's
// SignatureResponse. [JobID] derives job_id as a UUIDv5.
//
// # Pages
//
// Rendering is pure: [RenderIndex], [RenderOverview], [RenderEpochs],
// [RenderEpochList] and [RenderHistory] take data and return HTML
// (html/template, so every value from a configuration, a record or a source
// is escaped as text). Each page carries its style sheet inline, allowed by
// a Content-Security-Policy that names its hash, and loads one script, the
// verifier ([Script]), from the same site; nothing comes from elsewhere.
// Pages read without JavaScript; the script adds ages ("3 minutes ago"),
// marks logs whose last verification is older than [DefaultStaleAfter] as
// stale, and offers "Verify in this browser".
//
// The page of a full entry bundle ([Epochs] with 256 records) holds no
// current data and never changes; everything current (inclusion in the
// latest checkpoint, ages) is computed in the browser. [EpochIndex] is the
// JSON index that lets the publisher update the pages of a long log
// without reading all of it. [Gzip] compresses pages deterministically, so
// an unchanged page is recognised and not uploaded again.
//
// # The in-browser verifier
//
// static/verify.js, embedded and served as a content-addressed asset, uses
// only WebCrypto. It fetches a log's checkpoint and checks its Ed25519
// signature under the log's verifier key (the page's, or one the visitor
// pastes: only a key from elsewhere makes the check meaningful); recomputes
// the root hash from the C2SP hash tiles; and for one record reads its
// entry bundle, compares the leaf hash with the page's, checks an RFC 6962
// inclusion proof built from the tiles against the checkpoint's root, and
// checks the record's Plexi signature. The element that shows the outcome
// carries data-verify-status="ok" or "failed" and a message naming what
// failed.
package site
