package checkpoint

import (
	"errors"
	"strings"
	"testing"
)

// hashA is the base64 of 32 zero bytes.
const hashA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func TestParseValid(t *testing.T) {
	for _, body := range []string{
		"example.com/log\n0\n" + hashA + "\n",
		"example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"example.com/log\n9223372036854775807\n" + hashA + "\n",
		"a\n1\n" + hashA + "\next one\n— ext two looks like a signature\n",
		"origin with spaces+plus ⌘\n7\n" + hashA + "\n",
	} {
		c, err := Parse([]byte(body))
		if err != nil {
			t.Errorf("Parse(%q): %v", body, err)
			continue
		}
		if got := string(c.Marshal()); got != body {
			t.Errorf("Parse(%q).Marshal() = %q", body, got)
		}
	}
}

func TestParseFields(t *testing.T) {
	c, err := Parse([]byte("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != "example.com/behind-the-sofa" || c.Size != 20852163 || c.Hash[0] != 0x0a || c.Hash[31] != 0x62 ||
		len(c.Extensions) != 1 || c.Extensions[0] != "x" {
		t.Errorf("Parse gave %+v", c)
	}
	c, err = Parse([]byte("o\n0\n" + hashA + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Extensions != nil {
		t.Errorf("no extension lines gave Extensions = %#v, want nil", c.Extensions)
	}
}

func TestParseMalformed(t *testing.T) {
	for _, tt := range []struct{ name, body string }{
		{"empty", ""},
		{"two lines", "o\n1\n"},
		{"no final newline", "o\n1\n" + hashA},
		{"empty origin", "\n1\n" + hashA + "\n"},
		{"empty extension", "o\n1\n" + hashA + "\n\n"},
		{"empty line between extensions", "o\n1\n" + hashA + "\na\n\nb\n"},
		{"leading zero", "o\n01\n" + hashA + "\n"},
		{"double zero", "o\n00\n" + hashA + "\n"},
		{"minus", "o\n-1\n" + hashA + "\n"},
		{"minus zero", "o\n-0\n" + hashA + "\n"},
		{"plus", "o\n+1\n" + hashA + "\n"},
		{"space before size", "o\n 1\n" + hashA + "\n"},
		{"space after size", "o\n1 \n" + hashA + "\n"},
		{"exponent", "o\n1e3\n" + hashA + "\n"},
		{"hex size", "o\n0x10\n" + hashA + "\n"},
		{"non-ASCII digit", "o\n١\n" + hashA + "\n"},
		{"size overflows int64", "o\n9223372036854775808\n" + hashA + "\n"},
		{"empty size", "o\n\n" + hashA + "\n"},
		{"hash unpadded", "o\n1\n" + strings.TrimSuffix(hashA, "=") + "\n"},
		{"hash 31 bytes", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"},
		{"hash 33 bytes", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"},
		{"hash non-canonical padding bits", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n"},
		{"hash URL alphabet", "o\n1\n-_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"},
		{"hash hex", "o\n1\n0000000000000000000000000000000000000000000000000000000000000000\n"},
		{"CRLF", "o\r\n1\r\n" + hashA + "\r\n"},
		{"tab in origin", "o\tx\n1\n" + hashA + "\n"},
		{"NUL in extension", "o\n1\n" + hashA + "\na\x00\n"},
		{"invalid UTF-8", "o\xff\n1\n" + hashA + "\n"},
	} {
		_, err := Parse([]byte(tt.body))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Parse(%q) = %v, want ErrMalformed", tt.name, tt.body, err)
		}
	}
}

func TestSignRejectsInvalidCheckpoint(t *testing.T) {
	s, _ := testKeys(t, "example.com/log", "a")
	valid := testCheckpoint("example.com/log", 3)
	for _, tt := range []struct {
		name string
		c    Checkpoint
	}{
		{"empty origin", Checkpoint{Size: 1}},
		{"negative size", Checkpoint{Origin: "o", Size: -1}},
		{"newline in origin", Checkpoint{Origin: "o\n"}},
		{"origin smuggles lines", Checkpoint{Origin: "o\n5\n" + hashA, Size: 7}},
		{"control character", Checkpoint{Origin: "o\x7f\x01"}},
		{"empty extension", testCheckpoint("o", 1, "a", "")},
		{"newline in extension", testCheckpoint("o", 1, "a\nb")},
	} {
		if _, err := Sign(tt.c, s); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Sign(%q) = %v, want ErrMalformed", tt.name, tt.c.Marshal(), err)
		}
	}
	if _, err := Sign(valid); err == nil {
		t.Error("Sign with no signer succeeded")
	}
	if _, err := Sign(valid, nil); err == nil {
		t.Error("Sign with a nil signer succeeded")
	}
	if _, err := Sign(valid, s, s); err == nil {
		t.Error("Sign with the same signer twice succeeded")
	}
	for _, name := range []string{"", "a b", "a+b", "a\u00a0b", "a\x01"} {
		if _, err := Sign(valid, s.WithName(name)); err == nil {
			t.Errorf("Sign with signer name %q succeeded", name)
		}
	}
	if _, err := Sign(valid, s); err != nil {
		t.Errorf("Sign(valid) = %v", err)
	}
	// Empty extension slices are the same as none.
	if _, err := Sign(Checkpoint{Origin: "o", Extensions: []string{}}, s); err != nil {
		t.Errorf("Sign with empty extension slice: %v", err)
	}
}

func TestString(t *testing.T) {
	if got, want := (Checkpoint{Origin: "o", Size: 2}).String(), "o@2:"+hashA; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
