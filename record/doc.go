// Package record defines stele's audit record, the one-line JSON entry that
// each namespace's log holds per epoch, and the Plexi signed epoch message
// that the record carries.
//
// It implements "The audit record" and the Plexi signature formats of
// stele's specification (spec/stele.md, spec/plexi.md), which follow
// Cloudflare's Plexi auditor (github.com/cloudflare/plexi, plexi_core). The
// package is a leaf: it imports nothing of stele's but its own fixed-key
// Ed25519 verifier (record/internal/edkey).
//
// # Records
//
// A [Record] is one of three kinds. An anchor (entry 0 of a log, or the
// entry after an operator's resume) names a trusted epoch and digest and is
// signed. A verified record names one checked AKD step E-1 -> E, the proof
// object that showed it, and is signed. A violation is unsigned evidence:
// the step that failed, the proof object or objects, the reason, and the
// roots the verifier computed.
//
// # Canonical encoding
//
// [Record.Marshal] writes exactly one encoding of a record: a JSON object on
// one line, keys in the order of the specification, no insignificant white
// space, no trailing newline, integers in decimal without sign, leading
// zeros or exponent, hexadecimal in lower case, and strings escaped as
// RFC 8785 (JCS) does: only '"', '\\' and the control characters below
// U+0020 are escaped, with the short forms \b \t \n \f \r where they exist
// and \u00xx otherwise. The line is at most [MaxSize] bytes, the limit of a
// C2SP tlog-tiles entry. [Parse] accepts nothing else: every accepted line
// marshals back to the same bytes, so a logged record has one encoding and
// its leaf hash is a function of its content.
//
// # Plexi signatures
//
// Anchors and verified records carry a Plexi signature: Ed25519 over
// [Message], the serialisation of (ciphersuite, namespace, timestamp,
// epoch, digest) that Plexi's ciphersuite selects, 1 for protobuf and 2 for
// the legacy bincode layout. [SignatureResponse] is the JSON object that
// Plexi's API serves for one epoch's signature; stele serves the same.
//
// Verification is strict, as Plexi clients' (ed25519-dalek's verify_strict)
// is: the scalar S must be reduced, the public key must be a canonical
// encoding (circl's decoding rejects the others), and a public key or an R
// of small order is rejected before the cofactorless equation is checked.
// A [Verifier] gives the same answers for many records under one key about
// three times faster, from a table of the key's multiples built once.
//
// # Errors
//
// Bytes that do not parse, and records whose fields do not fit their kind,
// are [ErrMalformed]; a signature that does not verify, or whose key_id
// names another key, is [ErrBadSignature]. Both are wrapped with detail;
// test them with [errors.Is].
package record
