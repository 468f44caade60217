// Package akd verifies the append-only proofs that Auditable Key Directories
// (AKD, as run by WhatsApp and Messenger) publish for every epoch.
//
// It implements the audit described in stele's specification of AKD audit
// proofs (spec/akd-audit.md): a proof object is one protobuf
// SingleAppendOnlyProof naming, by its key, a target epoch E and the roots
// of epochs E-1 and E. The proof verifies when the unchanged elements
// rebuild the root of E-1 and the unchanged elements together with the
// inserted ones (their values bound to E) rebuild the root of E.
//
// # Configurations
//
// Two hashing configurations exist, WhatsAppV1 and Experimental (which
// prefixes every hash input with a domain label). Both use BLAKE3-256.
//
// # Verdicts
//
// Verify and VerifyStep return one of three outcomes, which callers must
// keep apart:
//
//   - nil error: both roots rebuild;
//   - *ViolationError: positive evidence against the directory (a root does
//     not rebuild, or the proof's label set is contradictory: duplicate
//     labels, a label that is a prefix of another's);
//   - *MalformedError: the bytes could not be decoded or exceeded the
//     limits. Nothing was learnt about the directory; a truncated transfer
//     looks the same, so the caller should fetch again.
//
// Any other error (a cancelled context, a failing reader) also means
// "could not check".
//
// # Hardening
//
// akd up to 0.12 silently dropped elements whose label was a prefix of
// another element's label, which let a forged proof hide a change
// (facebook/akd#495). This package rejects any proof whose combined label
// set is not prefix-free.
//
// # Performance
//
// Proofs are decoded as a stream into flat, chunked arrays (about 66 bytes
// per element), the per-element hashes are computed once for both trees
// while the stream is still being read, and both roots are rebuilt in one
// pass over the elements in label order, in parallel over subtrees.
// Independent hashes are computed eight at a time (package
// internal/blake3x, AVX2 where the CPU has it): an element's own hashes
// in windows of elements, and the interior nodes a block at a time, all
// nodes of one height together (levels.go).
package akd
