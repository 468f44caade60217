package checkpoint

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"example.com/log\n0\n" + hashA + "\n",
		"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n9223372036854775807\n" + hashA + "\na\nb\n",
		"o\n01\n" + hashA + "\n",
		"o\n1\n" + hashA,
		"o\n1\n" + hashA + "\n\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := Parse(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m := c.Marshal(); !bytes.Equal(m, body) {
			t.Fatalf("Parse(%q).Marshal() = %q", body, m)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("parsed checkpoint does not validate: %v", err)
		}
	})
}

func FuzzOpen(f *testing.F) {
	s, v := testKeys(f, "example.com/log", "fuzz")
	w, _ := testKeys(f, "witness.example/w", "fuzzw")
	base := s.WithName("example.com")
	baseV, err := NewVerifier(base.VerifierKey())
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range [][]byte{
		mustSign(f, testCheckpoint("example.com/log", 0), s),
		mustSign(f, testCheckpoint("example.com/log", 7, "ext"), s, w),
		mustSign(f, testCheckpoint("example.com/log", 7), w, s),
		mustSign(f, testCheckpoint("example.com/log", 7), w),
		mustSign(f, testCheckpoint("example.com/other", 7), base),
		mustSign(f, testCheckpoint("example.com/ns", 7), base.WithName("example.com/ns")),
		append(mustSign(f, testCheckpoint("example.com/log", 3), s), "— x AAAAAAAAAAA=\n"...),
		[]byte("example.com/log\n1\n" + hashA + "\n\n— example.com/log AAAAAAAAAAA=\n"),
	} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, open := range []func([]byte, ...*Verifier) (Checkpoint, error){Open, OpenWithOrigin} {
			c, err := open(msg, v, baseV)
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnverified) && !errors.Is(err, ErrBadSignature) {
					t.Fatalf("error %v wraps none of the sentinels", err)
				}
				continue
			}
			if !bytes.HasPrefix(msg, append(c.Marshal(), '\n')) {
				t.Fatalf("accepted note %q does not start with its checkpoint's body", msg)
			}
			// Sign again with every name the verifiers accept for c.
			signers := []*Signer{s, base}
			if c.Origin != s.Name() && c.Origin != base.Name() && validName(c.Origin) {
				signers = append(signers, base.WithName(c.Origin))
			}
			again, err := open(mustSign(t, c, signers...), v, baseV)
			if err != nil {
				t.Fatalf("re-signed checkpoint does not open: %v", err)
			}
			if !equalCheckpoints(again, c) {
				t.Fatalf("re-signed checkpoint opens to %v, want %v", again, c)
			}
		}
	})
}

func FuzzKeys(f *testing.F) {
	skey, vkey, err := GenerateKey(bytes.NewReader(seed("fuzzkeys")), "example.com/log")
	if err != nil {
		f.Fatal(err)
	}
	for _, k := range []string{skey, vkey, "PRIVATE+KEY+a+00000000+AQ==", "a+00000000+" + hashA, ""} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		if v, err := NewVerifier(k); err == nil {
			if v.String() != k {
				t.Fatalf("NewVerifier(%q).String() = %q", k, v.String())
			}
		} else if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("NewVerifier error %v does not wrap ErrInvalidKey", err)
		}
		if s, err := NewSigner(k); err == nil {
			if got := signerKeyString(s.Name(), s.pub, s.priv.Seed()); got != k {
				t.Fatalf("NewSigner(%q) re-encodes as %q", k, got)
			}
			if _, err := NewVerifier(s.VerifierKey()); err != nil {
				t.Fatalf("signer's verifier key %q: %v", s.VerifierKey(), err)
			}
		} else if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("NewSigner error %v does not wrap ErrInvalidKey", err)
		}
	})
}
