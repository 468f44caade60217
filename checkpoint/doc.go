// Package checkpoint reads, writes, signs and verifies the signed tree heads
// that stele publishes for each of its logs.
//
// It implements two C2SP specifications:
//
//   - c2sp.org/tlog-checkpoint: the checkpoint body, an origin line, a tree
//     size, a root hash and optional extension lines ([Checkpoint], [Parse]);
//   - c2sp.org/signed-note: the signature lines appended to that body, with
//     Ed25519 keys (signature type 0x01) in the key-string formats of
//     golang.org/x/mod/sumdb/note ([Signer], [Verifier], [Sign], [Open]).
//
// The package is a leaf: it knows nothing of the rest of stele.
//
// # Keys
//
// A signer key is the text
//
//	PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte Ed25519 seed)>
//
// and the matching verifier key is
//
//	<name>+<key ID>+<base64(0x01 || 32-byte Ed25519 public key)>
//
// where the key ID is eight lower-case hexadecimal digits: the first four
// bytes, big-endian, of SHA-256(name || "\n" || 0x01 || public key). Both
// strings are interchangeable with those of golang.org/x/mod/sumdb/note.
//
// One Ed25519 key may serve under several names. stele signs each log's
// checkpoint under a name equal to that log's origin ([Signer.WithName]), so
// every log has its own key ID, and a verifier for a base name covers the
// logs below it ([Verifier.ForOrigin], [OpenWithOrigin]). The same key also
// signs raw messages (Plexi epoch signatures) through [Signer.Sign].
//
// # Strictness
//
// [Parse] and [Open] accept exactly what the specifications allow and nothing
// else: the size has no sign and no leading zeros, the root hash is canonical
// padded base64 of 32 bytes, a note is valid UTF-8 without control
// characters other than newline, at most 1 MiB long, with between one and 100
// signature lines of the form "— <name> <base64>". Every accepted checkpoint
// marshals back to the bytes it was parsed from.
//
// # Verification
//
// A signature whose key name and key ID match no given verifier is ignored.
// One that matches must verify, or the whole note is rejected
// ([ErrBadSignature]). A note that carries no verified signature is rejected
// ([ErrUnverified]). Anything that does not parse is [ErrMalformed]. The
// three are wrapped with detail; test them with [errors.Is].
package checkpoint
