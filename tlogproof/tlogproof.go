// Package tlogproof reads and writes C2SP tlog-proof documents
// (c2sp.org/tlog-proof@v1): an offline-verifiable proof that an entry is in
// a transparency log, made of the entry's index, its Merkle inclusion proof
// and the log's signed checkpoint, with optional opaque extra data.
//
// stele puts the audit record itself in the extra line, so a proof file is
// all one needs to check, with no network, that the auditor logged what it
// signed for an epoch. Parsing is strict: a document that Format would not
// produce is rejected. Checking the checkpoint's signature and the proof is
// the caller's job (see stele's verify package).
package tlogproof

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// Header is the first line of every proof.
const Header = "c2sp.org/tlog-proof@v1"

// MaxSize bounds a document (a checkpoint note is at most 1 MiB, and a
// proof has at most 63 hashes).
const MaxSize = 2 << 20

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("malformed tlog-proof")

// Proof is a parsed tlog-proof.
type Proof struct {
	Extra      []byte // nil when the document has no extra line
	Index      int64
	Hashes     tlog.RecordProof // from the leaf's sibling up to the root's child
	Checkpoint []byte           // the signed note, verbatim
}

// Format encodes p. It does not check the proof.
func Format(p Proof) []byte {
	var b bytes.Buffer
	b.WriteString(Header + "\n")
	if p.Extra != nil {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	b.WriteString("index " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// Parse decodes a tlog-proof strictly.
func Parse(doc []byte) (Proof, error) {
	bad := func(line int, format string, a ...any) (Proof, error) {
		return Proof{}, fmt.Errorf("%w: line %d: %s", ErrMalformed, line, fmt.Sprintf(format, a...))
	}
	if len(doc) > MaxSize {
		return bad(0, "document is over %d bytes", MaxSize)
	}
	var p Proof
	rest := doc
	line := 0
	next := func() ([]byte, bool) {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil, false
		}
		l := rest[:i]
		rest = rest[i+1:]
		line++
		return l, true
	}
	l, ok := next()
	if !ok || string(l) != Header {
		return bad(1, "want %q", Header)
	}
	if l, ok = next(); !ok {
		return bad(line+1, "missing index line")
	}
	if e, found := bytes.CutPrefix(l, []byte("extra ")); found {
		extra, err := decodeStrict(e)
		if err != nil {
			return bad(line, "extra: %v", err)
		}
		p.Extra = extra
		if l, ok = next(); !ok {
			return bad(line+1, "missing index line")
		}
	}
	idx, found := bytes.CutPrefix(l, []byte("index "))
	if !found {
		return bad(line, "want index <n>")
	}
	n, err := strconv.ParseInt(string(idx), 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != string(idx) {
		return bad(line, "bad index %q", idx)
	}
	p.Index = n
	for {
		l, ok = next()
		if !ok {
			return bad(line+1, "missing the empty line before the checkpoint")
		}
		if len(l) == 0 {
			break
		}
		if len(p.Hashes) == 63 {
			return bad(line, "more than 63 proof hashes")
		}
		h, err := decodeStrict(l)
		if err != nil || len(h) != tlog.HashSize {
			return bad(line, "not a base64 SHA-256 hash")
		}
		p.Hashes = append(p.Hashes, tlog.Hash(h))
	}
	if len(rest) == 0 {
		return bad(line+1, "missing checkpoint")
	}
	p.Checkpoint = rest
	return p, nil
}

// decodeStrict accepts only canonical padded standard base64.
func decodeStrict(s []byte) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(string(s))
	if err != nil {
		return nil, err
	}
	if base64.StdEncoding.EncodeToString(b) != string(s) {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}
