// Package edkey verifies Ed25519 signatures (RFC 8032) under one public key
// that is known in advance, about three times faster than a general
// verifier.
//
// A general verifier computes [S]B - [k]A with a few hundred point
// doublings, because A changes from call to call. An audit log's records
// are all signed by one auditor key, so [New] precomputes, once, the
// multiples j·16^i·(-A) for j = 1..8 and every 4-bit position i (and the
// same table of the base point B, shared by all keys). A verification is
// then about 120 mixed point additions, one field inversion and no
// doublings. Building a key's table costs a few milliseconds and 48 KiB.
//
// # What is accepted
//
// [Key.Verify] answers exactly as a strict RFC 8032 verifier that checks
// the cofactorless equation: S must be below the group order L, and R must
// equal the canonical encoding of [S]B - [k]A, with k = SHA-512(R || A ||
// M) mod L. [New] accepts only canonical encodings of curve points (y below
// p, and no "negative zero" x). Rejecting keys or R values of small order,
// as ed25519-dalek's verify_strict does, is the caller's business; the
// package's tests compare every answer with circl's verifier.
//
// All inputs are public, so nothing here runs in constant time.
package edkey
