package checkpoint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSignOpen(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "so")
	for _, c := range []Checkpoint{
		testCheckpoint("example.com/log", 0),
		testCheckpoint("example.com/log", 1<<40),
		testCheckpoint("example.com/log", 5, "ext 1", "— ext 2"),
	} {
		n := mustSign(t, c, s)
		if !bytes.HasPrefix(n, append(c.Marshal(), '\n')) {
			t.Errorf("note %q does not start with the body and a blank line", n)
		}
		if !strings.HasSuffix(string(n), "\n") || strings.Count(string(n), "\n— ") < 1 {
			t.Errorf("note %q has no signature line", n)
		}
		got, err := Open(n, v)
		if err != nil {
			t.Errorf("Open: %v", err)
			continue
		}
		if !equalCheckpoints(got, c) {
			t.Errorf("Open = %v, want %v", got, c)
		}
		got, err = OpenWithOrigin(n, v)
		if err != nil || !equalCheckpoints(got, c) {
			t.Errorf("OpenWithOrigin = %v, %v", got, err)
		}
	}
}

func TestSignatureLineFormat(t *testing.T) {
	s, _ := testKeys(t, "example.com/log", "fmt")
	c := testCheckpoint("example.com/log", 3)
	n := mustSign(t, c, s)
	sig, _ := s.Sign(c.Marshal())
	want := fmt.Sprintf("%s\n\u2014 example.com/log %s\n", c.Marshal(),
		base64.StdEncoding.EncodeToString(append([]byte{byte(s.KeyHash() >> 24), byte(s.KeyHash() >> 16), byte(s.KeyHash() >> 8), byte(s.KeyHash())}, sig...)))
	if string(n) != want {
		t.Errorf("Sign =\n%s\nwant\n%s", n, want)
	}
}

func TestOpenSeveralSigners(t *testing.T) {
	s1, v1 := testKeys(t, "example.com/log", "one")
	s2, v2 := testKeys(t, "witness.example/w", "two")
	c := testCheckpoint("example.com/log", 9)
	n := mustSign(t, c, s1, s2)
	for _, vs := range [][]*Verifier{{v1}, {v2}, {v1, v2}, {v2, v1}} {
		if _, err := Open(n, vs...); err != nil {
			t.Errorf("Open with %d verifiers: %v", len(vs), err)
		}
	}
}

func TestOpenUnknownSignerOnly(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "a")
	other, otherV := testKeys(t, "example.com/log", "b") // same name, other key
	n := mustSign(t, testCheckpoint("example.com/log", 1), other)
	if _, err := Open(n, v); !errors.Is(err, ErrUnverified) {
		t.Errorf("same name, other key: Open = %v, want ErrUnverified", err)
	}
	// Same key, other name: another key ID, so unknown as well.
	n = mustSign(t, testCheckpoint("example.com/log", 1), s.WithName("example.com/elsewhere"))
	if _, err := Open(n, v); !errors.Is(err, ErrUnverified) {
		t.Errorf("same key, other name: Open = %v, want ErrUnverified", err)
	}
	if _, err := Open(n); !errors.Is(err, ErrUnverified) {
		t.Errorf("no verifiers: Open = %v, want ErrUnverified", err)
	}
	if _, err := Open(mustSign(t, testCheckpoint("example.com/log", 1), s), otherV); !errors.Is(err, ErrUnverified) {
		t.Errorf("verifier of another key: Open = %v, want ErrUnverified", err)
	}
}

// A signature line claiming a known verifier's name and key ID, but made
// with another key, is a bad signature, not an unknown one.
func TestOpenKnownSignerBadSignature(t *testing.T) {
	_, v := testKeys(t, "example.com/log", "a")
	impostor, _ := testKeys(t, "example.com/log", "b")
	c := testCheckpoint("example.com/log", 1)
	n := relabel(t, mustSign(t, c, impostor), impostor.KeyHash(), v.KeyHash())
	if _, err := Open(n, v); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open = %v, want ErrBadSignature", err)
	}
}

// relabel rewrites the key ID of every signature line from old to new.
func relabel(tb testing.TB, note []byte, old, new uint32) []byte {
	tb.Helper()
	text, sigs, err := splitNote(note)
	if err != nil {
		tb.Fatal(err)
	}
	out := append(append([]byte(nil), text...), '\n')
	for _, s := range sigs {
		h := s.hash
		if h == old {
			h = new
		}
		raw := append([]byte{byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h)}, s.sig...)
		out = fmt.Appendf(out, "— %s %s\n", s.name, base64.StdEncoding.EncodeToString(raw))
	}
	return out
}

func TestOpenIgnoresUnknownSignature(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "a")
	w, _ := testKeys(t, "witness.example/w", "w")
	c := testCheckpoint("example.com/log", 4)
	for _, order := range [][]*Signer{{s, w}, {w, s}} {
		n := mustSign(t, c, order...)
		got, err := Open(n, v)
		if err != nil || !equalCheckpoints(got, c) {
			t.Errorf("Open = %v, %v", got, err)
		}
	}
	// A garbage signature by an unknown key is ignored too...
	n := append(mustSign(t, c, s), "— witness.example/w AAAAAAAAAAA=\n"...)
	if _, err := Open(n, v); err != nil {
		t.Errorf("Open with a garbage unknown signature: %v", err)
	}
	// ...but not a malformed line.
	n = append(mustSign(t, c, s), "— witness.example/w AAAA\n"...)
	if _, err := Open(n, v); !errors.Is(err, ErrMalformed) {
		t.Errorf("Open with a 3-byte signature = %v, want ErrMalformed", err)
	}
}

// Every signature line by a known key is checked, also a second one by the
// same key after a good one.
func TestOpenChecksEveryKnownSignature(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "a")
	c := testCheckpoint("example.com/log", 4)
	n := mustSign(t, c, s)
	_, sigs, err := splitNote(n)
	if err != nil {
		t.Fatal(err)
	}
	line := n[len(c.Marshal())+1:]
	dup := append(append([]byte(nil), n...), line...)
	if _, err := Open(dup, v); err != nil {
		t.Errorf("Open with a repeated good signature: %v", err)
	}
	bad := append([]byte(nil), sigs[0].sig...)
	bad[10] ^= 1
	raw := append([]byte{byte(s.KeyHash() >> 24), byte(s.KeyHash() >> 16), byte(s.KeyHash() >> 8), byte(s.KeyHash())}, bad...)
	dup = fmt.Appendf(append([]byte(nil), n...), "— %s %s\n", s.Name(), base64.StdEncoding.EncodeToString(raw))
	if _, err := Open(dup, v); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open with a good then a bad signature by one key = %v, want ErrBadSignature", err)
	}
}

// Two verifiers may share a name and key ID (a collision): a signature
// counts when either key verifies it.
func TestOpenCollidingVerifiers(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "a")
	_, other := testKeys(t, "example.com/log", "b")
	collider := &Verifier{name: v.name, hash: v.hash, pub: other.pub}
	n := mustSign(t, testCheckpoint("example.com/log", 2), s)
	if _, err := Open(n, collider, v); err != nil {
		t.Errorf("Open(collider, right key) = %v", err)
	}
	if _, err := Open(n, collider); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open(collider) = %v, want ErrBadSignature", err)
	}
}

// Negative control: flipping any bit of a note signed only by known keys
// must make Open fail.
func TestOpenFlippedBits(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "flip")
	w, wv := testKeys(t, "witness.example/w", "flipw")
	c := testCheckpoint("example.com/log", 123456, "ext")
	for _, tt := range []struct {
		name string
		note []byte
		vs   []*Verifier
	}{
		{"one signer", mustSign(t, c, s), []*Verifier{v}},
		{"two known signers", mustSign(t, c, s, w), []*Verifier{v, wv}},
	} {
		if _, err := Open(tt.note, tt.vs...); err != nil {
			t.Fatalf("%s: control: %v", tt.name, err)
		}
		for i := range tt.note {
			for bit := range 8 {
				m := append([]byte(nil), tt.note...)
				m[i] ^= 1 << bit
				if got, err := Open(m, tt.vs...); err == nil {
					// Only a change in one signature line that turns it into an
					// unknown signer could pass, if another known one remains.
					if len(tt.vs) == 1 || !equalCheckpoints(got, c) {
						t.Errorf("%s: flipping bit %d of byte %d (%q): Open succeeded", tt.name, bit, i, tt.note[i])
					}
				}
			}
		}
	}
}

// Negative control for the body alone: any byte changed to any other value
// before the blank line fails, whichever error it gives.
func TestOpenChangedBodyByte(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "body")
	c := testCheckpoint("example.com/log", 77)
	n := mustSign(t, c, s)
	body := len(c.Marshal())
	for i := 0; i < body; i++ {
		for _, b := range []byte{'0', '1', 'A', '=', '/', '\n', ' ', 0x00, 0xff} {
			if n[i] == b {
				continue
			}
			m := append([]byte(nil), n...)
			m[i] = b
			if _, err := Open(m, v); err == nil {
				t.Errorf("setting byte %d to %q: Open succeeded", i, b)
			} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) {
				t.Errorf("setting byte %d to %q: Open = %v, want ErrMalformed or ErrBadSignature", i, b, err)
			}
		}
	}
}

func TestOpenMalformed(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "m")
	c := testCheckpoint("example.com/log", 5)
	good := string(mustSign(t, c, s))
	body := string(c.Marshal())
	sigLine := good[len(body)+1:]
	b64 := strings.TrimSuffix(sigLine[len("— example.com/log "):], "\n")
	many := body + "\n" + sigLine + strings.Repeat("— w AAAAAAAAAAA=\n", MaxSignatures)
	for _, tt := range []struct{ name, note string }{
		{"empty", ""},
		{"body only", body},
		{"no blank line", body + sigLine},
		{"no signature lines", body + "\n"},
		{"no final newline", strings.TrimSuffix(good, "\n")},
		{"trailing blank line", good + "\n"},
		{"hyphen instead of em dash", body + "\n- example.com/log " + b64 + "\n"},
		{"en dash", body + "\n\u2013 example.com/log " + b64 + "\n"},
		{"no space after dash", body + "\n—example.com/log " + b64 + "\n"},
		{"two spaces after dash", body + "\n—  example.com/log " + b64 + "\n"},
		{"no signature", body + "\n— example.com/log\n"},
		{"empty signature", body + "\n— example.com/log \n"},
		{"two spaces before signature", body + "\n— example.com/log  " + b64 + "\n"},
		{"trailing space", body + "\n— example.com/log " + b64 + " \n"},
		{"name with plus", body + "\n— example.com+log " + b64 + "\n"},
		{"bad base64", body + "\n— example.com/log " + b64[:10] + "!" + b64[11:] + "\n"},
		{"unpadded base64", body + "\n— example.com/log " + strings.TrimRight(b64, "=") + "\n"},
		{"key ID only", body + "\n— example.com/log AAAAAA==\n"},
		{"signature block with blank line", body + "\n" + sigLine + "\n" + sigLine},
		{"CRLF", strings.ReplaceAll(good, "\n", "\r\n")},
		{"control character", good[:3] + "\x1b" + good[4:]},
		{"invalid UTF-8", good[:3] + "\xc3" + good[4:]},
		{"body malformed", "example.com/log\n5\n\n" + sigLine},
		{"body leading zero", "example.com/log\n05\n" + body[len("example.com/log\n5\n"):] + "\n" + sigLine},
		{"too many signatures", many},
		{"too large", body + strings.Repeat("x\n", MaxNoteSize/2) + "\n" + sigLine},
	} {
		_, err := Open([]byte(tt.note), v)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Open(%q) = %v, want ErrMalformed", tt.name, trim(tt.note), err)
		}
		_, err = OpenWithOrigin([]byte(tt.note), v)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: OpenWithOrigin(%q) = %v, want ErrMalformed", tt.name, trim(tt.note), err)
		}
	}
	// Exactly MaxSignatures lines is fine.
	atMax := body + "\n" + sigLine + strings.Repeat("— w AAAAAAAAAAA=\n", MaxSignatures-1)
	if _, err := Open([]byte(atMax), v); err != nil {
		t.Errorf("Open with %d signature lines: %v", MaxSignatures, err)
	}
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func TestSignTooLarge(t *testing.T) {
	s, _ := testKeys(t, "example.com/log", "big")
	c := testCheckpoint("example.com/log", 1, strings.Repeat("x", MaxNoteSize))
	if _, err := Sign(c, s); err == nil {
		t.Error("Sign of a note over the size limit succeeded")
	}
	many := make([]*Signer, MaxSignatures+1)
	for i := range many {
		many[i] = s.WithName(fmt.Sprintf("w%d", i))
	}
	if _, err := Sign(testCheckpoint("o", 1), many...); err == nil {
		t.Error("Sign with too many signers succeeded")
	}
	if _, err := Sign(testCheckpoint("o", 1), many[:MaxSignatures]...); err != nil {
		t.Errorf("Sign with %d signers: %v", MaxSignatures, err)
	}
}

func TestOpenNilVerifier(t *testing.T) {
	s, v := testKeys(t, "example.com/log", "nil")
	n := mustSign(t, testCheckpoint("example.com/log", 1), s)
	if _, err := Open(n, v, nil); err == nil {
		t.Error("Open with a nil verifier succeeded")
	}
	if _, err := OpenWithOrigin(n, nil); err == nil {
		t.Error("OpenWithOrigin with a nil verifier succeeded")
	}
}

func TestOpenWithOrigin(t *testing.T) {
	base, baseV := testKeys(t, "kt.example.com/stele", "origin")
	_, otherV := testKeys(t, "kt.example.com/stele", "other key")
	const origin = "kt.example.com/stele/whatsapp.key-transparency.v2"
	c := testCheckpoint(origin, 42)
	logSigner := base.WithName(origin)
	n := mustSign(t, c, logSigner)
	perLog, err := NewVerifier(logSigner.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		vs   []*Verifier
	}{
		{"base key", []*Verifier{baseV}},
		{"per-log key", []*Verifier{perLog}},
		{"base key among others", []*Verifier{otherV, baseV}},
	} {
		got, err := OpenWithOrigin(n, tt.vs...)
		if err != nil || !equalCheckpoints(got, c) {
			t.Errorf("%s: OpenWithOrigin = %v, %v", tt.name, got, err)
		}
	}
	// Plain Open needs the per-log key: the base key's name is not the origin.
	if _, err := Open(n, baseV); !errors.Is(err, ErrUnverified) {
		t.Errorf("Open with the base key = %v, want ErrUnverified", err)
	}
	if _, err := Open(n, perLog); err != nil {
		t.Errorf("Open with the per-log key: %v", err)
	}
	// The other key under the same base name: derived verifier has another
	// key ID, so the signature is unknown.
	if _, err := OpenWithOrigin(n, otherV); !errors.Is(err, ErrUnverified) {
		t.Errorf("OpenWithOrigin with another key = %v, want ErrUnverified", err)
	}
	// A checkpoint signed under the base name instead of its origin.
	if _, err := OpenWithOrigin(mustSign(t, c, base), baseV); !errors.Is(err, ErrUnverified) {
		t.Errorf("signed under the base name: OpenWithOrigin = %v, want ErrUnverified", err)
	}
	// Origins the key does not cover.
	for _, o := range []string{"kt.example.com/stelex/ns", "kt.example.com/other", "kt.example.com/stele/"} {
		oc := testCheckpoint(o, 1)
		m := mustSign(t, oc, base.WithName(o))
		if _, err := OpenWithOrigin(m, baseV); !errors.Is(err, ErrUnverified) {
			t.Errorf("origin %q: OpenWithOrigin = %v, want ErrUnverified", o, err)
		}
	}
	// A forged signature under the derived name is a bad signature.
	impostor, _ := testKeys(t, origin, "impostor")
	forged := relabel(t, mustSign(t, c, impostor), impostor.KeyHash(), logSigner.KeyHash())
	if _, err := OpenWithOrigin(forged, baseV); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged: OpenWithOrigin = %v, want ErrBadSignature", err)
	}
}

// One key signs many logs. Because an Ed25519 note signature covers the
// text and not the key name, a signature line can be relabelled from one
// log's name to another's. Open then accepts the checkpoint (its origin is
// the caller's to check); OpenWithOrigin does not.
func TestRelabelledSignatureAcrossLogs(t *testing.T) {
	base, baseV := testKeys(t, "kt.example.com/stele", "relabel")
	a, b := base.WithName("kt.example.com/stele/a"), base.WithName("kt.example.com/stele/b")
	aV, err := NewVerifier(a.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	nb := mustSign(t, testCheckpoint("kt.example.com/stele/b", 3), b)
	text, sigs, err := splitNote(nb)
	if err != nil {
		t.Fatal(err)
	}
	raw := append([]byte{byte(a.KeyHash() >> 24), byte(a.KeyHash() >> 16), byte(a.KeyHash() >> 8), byte(a.KeyHash())}, sigs[0].sig...)
	moved := fmt.Appendf(append(append([]byte(nil), text...), '\n'), "— %s %s\n", a.Name(), base64.StdEncoding.EncodeToString(raw))

	got, err := Open(moved, aV)
	if err != nil {
		t.Fatalf("Open of relabelled note: %v", err)
	}
	if got.Origin != "kt.example.com/stele/b" {
		t.Errorf("Open gave origin %q", got.Origin)
	}
	for _, v := range []*Verifier{aV, baseV} {
		if _, err := OpenWithOrigin(moved, v); !errors.Is(err, ErrUnverified) {
			t.Errorf("OpenWithOrigin(%s) of relabelled note = %v, want ErrUnverified", v.Name(), err)
		}
	}
}
