// Package site serves and (later) renders the published website: the
// static host that `stele serve` runs, the HTML pages, the Plexi JSON API
// objects and the in-browser verifier.
//
// # Serving
//
// [Handler] answers HTTP requests from a [store.Store] the way an S3
// website endpoint or nginx with try_files would: the object's stored
// content type, cache control and content encoding; 404 for anything
// absent; "/" and "/x/" from "index.html" and "x/index.html"; and "/x" from
// "x/index.html" when no object "x" exists, which is how the design stores
// objects whose key is also a prefix (Plexi's /namespaces/<ns>).
package site
