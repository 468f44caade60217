package checkpoint

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Keys from golang.org/x/mod/sumdb/note and from this package are the same
// strings for the same seed.
func TestInteropKeyStrings(t *testing.T) {
	const name = "kt.example.com/stele"
	theirS, theirV, err := note.GenerateKey(bytes.NewReader(seed("interop")), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(theirS)
	if err != nil {
		t.Fatalf("NewSigner(x/mod signer key): %v", err)
	}
	v, err := NewVerifier(theirV)
	if err != nil {
		t.Fatalf("NewVerifier(x/mod verifier key): %v", err)
	}
	if s.VerifierKey() != theirV || v.String() != theirV {
		t.Errorf("our verifier key %q, theirs %q", s.VerifierKey(), theirV)
	}
	ourS, ourV, err := GenerateKey(bytes.NewReader(seed("interop")), name)
	if err != nil {
		t.Fatal(err)
	}
	if ourS != theirS || ourV != theirV {
		t.Errorf("same seed: our keys %q, %q; x/mod's %q, %q", ourS, ourV, theirS, theirV)
	}
}

func interopKeys(t *testing.T, name string) (ours *Signer, ourV *Verifier, theirs note.Signer, theirV note.Verifier) {
	t.Helper()
	skey, vkey, err := GenerateKey(bytes.NewReader(seed("interop "+name)), name)
	if err != nil {
		t.Fatal(err)
	}
	if ours, err = NewSigner(skey); err != nil {
		t.Fatal(err)
	}
	if ourV, err = NewVerifier(vkey); err != nil {
		t.Fatal(err)
	}
	if theirs, err = note.NewSigner(skey); err != nil {
		t.Fatal(err)
	}
	if theirV, err = note.NewVerifier(vkey); err != nil {
		t.Fatal(err)
	}
	return ours, ourV, theirs, theirV
}

func TestInteropTheirNoteOpensWithUs(t *testing.T) {
	ours, ourV, theirs, _ := interopKeys(t, "example.com/log")
	c := testCheckpoint("example.com/log", 1234, "ext")
	theirNote, err := note.Sign(&note.Note{Text: string(c.Marshal())}, theirs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(theirNote, ourV)
	if err != nil || !equalCheckpoints(got, c) {
		t.Fatalf("Open(x/mod note) = %v, %v", got, err)
	}
	// Ed25519 is deterministic: both sides write the same bytes.
	if ourNote := mustSign(t, c, ours); !bytes.Equal(ourNote, theirNote) {
		t.Errorf("notes differ:\nours   %q\ntheirs %q", ourNote, theirNote)
	}
	// And a tampered x/mod note is rejected.
	theirNote[0] ^= 1
	if _, err := Open(theirNote, ourV); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Open(tampered x/mod note) = %v, want ErrBadSignature", err)
	}
}

func TestInteropOurNoteOpensWithThem(t *testing.T) {
	ours, ourV, _, theirV := interopKeys(t, "example.com/log")
	w, _, theirW, _ := interopKeys(t, "witness.example/w")
	c := testCheckpoint("example.com/log", 99)
	n := mustSign(t, c, ours, w)
	opened, err := note.Open(n, note.VerifierList(theirV))
	if err != nil {
		t.Fatalf("x/mod Open(our note): %v", err)
	}
	if opened.Text != string(c.Marshal()) || len(opened.Sigs) != 1 || len(opened.UnverifiedSigs) != 1 {
		t.Errorf("x/mod Open: %+v", opened)
	}
	// Our Signer and Verifier are note.Signer and note.Verifier.
	viaThem, err := note.Sign(&note.Note{Text: string(c.Marshal())}, ours, theirW)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaThem, n) {
		t.Errorf("x/mod Sign with our signer:\n%q\nwant\n%q", viaThem, n)
	}
	if _, err := note.Open(n, note.VerifierList(ourV)); err != nil {
		t.Errorf("x/mod Open with our verifier: %v", err)
	}
	n[3] ^= 1
	var bad *note.InvalidSignatureError
	if _, err := note.Open(n, note.VerifierList(ourV)); !errors.As(err, &bad) {
		t.Errorf("x/mod Open(tampered) with our verifier = %v, want InvalidSignatureError", err)
	}
}
