package record

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// DigestSize is the length of an epoch's root digest in bytes.
const DigestSize = 32

// Message returns the bytes Plexi signs for one epoch: the serialisation
// of (ciphersuite, namespace, timestamp, epoch, digest) that ciphersuite
// selects.
//
// CiphersuiteProtobuf is the proto2 message plexi_core.types.SignatureMessage
// {1: ciphersuite, 2: namespace, 3: timestamp, 4: Epoch{1: epoch},
// 5: digest}, every field present, in field order:
//
//	08 <varint cs> 12 <len> <namespace> 18 <varint ts> 22 <len> 08 <varint epoch> 2a 20 <digest>
//
// CiphersuiteBincode is bincode's legacy layout, fixed-width little-endian
// integers and u64 length prefixes:
//
//	u32 cs | u64 len | namespace | u64 ts | u64 epoch | u64 32 | digest
//
// In both the serialised ciphersuite is its number (1 or 2). The namespace
// must be valid UTF-8 (it is a string in both), the timestamp (Unix
// milliseconds) non-negative, and the digest 32 bytes. Errors for anything
// else, an unknown ciphersuite included, wrap ErrMalformed.
func Message(ciphersuite uint32, namespace string, timestamp int64, epoch uint64, digest []byte) ([]byte, error) {
	switch {
	case !utf8.ValidString(namespace):
		return nil, fmt.Errorf("building Plexi message: %w", malformed("namespace is not valid UTF-8"))
	case timestamp < 0:
		return nil, fmt.Errorf("building Plexi message: %w", malformed("timestamp %d is negative", timestamp))
	case len(digest) != DigestSize:
		return nil, fmt.Errorf("building Plexi message: %w", malformed("digest is %d bytes, want %d", len(digest), DigestSize))
	}
	switch ciphersuite {
	case CiphersuiteProtobuf:
		return protobufMessage(nil, namespace, uint64(timestamp), epoch, digest), nil
	case CiphersuiteBincode:
		return bincodeMessage(nil, namespace, uint64(timestamp), epoch, digest), nil
	}
	return nil, fmt.Errorf("building Plexi message: %w", malformed("unknown ciphersuite %d", ciphersuite))
}

func protobufMessage(b []byte, namespace string, ts, epoch uint64, digest []byte) []byte {
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(CiphersuiteProtobuf))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, namespace)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, ts)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(protowire.SizeTag(1)+protowire.SizeVarint(epoch)))
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, epoch)
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	return protowire.AppendBytes(b, digest)
}

func bincodeMessage(b []byte, namespace string, ts, epoch uint64, digest []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, CiphersuiteBincode)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(namespace)))
	b = append(b, namespace...)
	b = binary.LittleEndian.AppendUint64(b, ts)
	b = binary.LittleEndian.AppendUint64(b, epoch)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(digest)))
	return append(b, digest...)
}
