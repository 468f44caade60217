// Package source holds stele's proof sources: the places where the publish
// job finds the AKD append-only proof objects that a key-transparency
// directory publishes, one object per epoch.
//
// It implements the "source" stage of the pipeline in stele's design
// document (stele.md: "The pipeline", the key pattern, the `https://` source
// paragraph) and the listing rules of akd-audit.md ("Where proofs come
// from").
//
// # Keys
//
// A proof object's key is "<epoch>/<hex prev root>/<hex cur root>": a
// decimal epoch without leading zeros (at most 2^64-1) and two 32-byte roots
// in lowercase hex. The epoch is the target epoch E of the step E-1 -> E.
// [ParseKey] is the one place that decides what a key is; every source
// ignores names that it rejects, so a stray file, a folder marker or an
// upper-case copy can never be mistaken for a proof.
//
// # Sources
//
// A [Source] lists the objects of one epoch and streams one object. Its
// contract separates three outcomes a caller must tell apart: the object is
// not there (an empty listing, or an error wrapping [os.ErrNotExist]), the
// source could not be read right now (any other error: retry later), and
// the caller asked for something no source can hold ([ErrInvalidKey]). A
// source never judges the bytes: that is the verifier's job.
//
//   - [Dir] is a local directory laid out as DIR/<epoch>/<prev>/<cur>, as
//     `stele akd gen` writes it.
//   - [S3] is a bucket read through the S3 API (`s3://BUCKET/PREFIX?...`,
//     ListObjectsV2 with pagination; anonymous when no credentials).
//   - [HTTP] is a bucket's public URL (`https://HOST[/PATH]`, a CDN in
//     front of it or a path-style bucket URL): the S3 listing API over
//     plain HTTP(S), with a cache-busting parameter on listings.
//   - [Open] picks a source from a configured location.
//
// [LimitReader] caps how much of an object a caller reads (the
// configuration's max_proof_bytes), failing with [ErrTooLarge].
//
// The conformance suite in package stele/source/sourcetest checks a Source
// against the contract written on [Source]; every implementation runs it.
package source
