package tlogproof

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

const note = "example.com/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAA\n"

func sample() Proof {
	return Proof{Extra: []byte(`{"kind":"verified"}`), Index: 3, Hashes: tlog.RecordProof{{1}, {2}, {3}}, Checkpoint: []byte(note)}
}

func TestRoundTrip(t *testing.T) {
	for _, p := range []Proof{sample(), {Index: 0, Checkpoint: []byte(note)}} {
		doc := Format(p)
		q, err := Parse(doc)
		if err != nil {
			t.Fatalf("%s\n%v", doc, err)
		}
		if !bytes.Equal(Format(q), doc) || q.Index != p.Index || len(q.Hashes) != len(p.Hashes) || !bytes.Equal(q.Extra, p.Extra) {
			t.Fatalf("round trip changed the proof:\n%s\n%+v", doc, q)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := string(Format(sample()))
	for name, doc := range map[string]string{
		"empty":             "",
		"header":            strings.Replace(good, "@v1", "@v2", 1),
		"no index":          Header + "\n\n" + note,
		"leading zero":      strings.Replace(good, "index 3", "index 03", 1),
		"negative":          strings.Replace(good, "index 3", "index -3", 1),
		"bad hash":          strings.Replace(good, "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AQAA", 1),
		"non-canonical b64": strings.Replace(good, "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", 1),
		"no blank line":     strings.Replace(good, "\n\nexample.com", "\nexample.com", 1),
		"no checkpoint":     strings.SplitAfter(good, "\n\n")[0],
		"extra not b64":     strings.Replace(good, "extra ", "extra !", 1),
		"crlf":              strings.ReplaceAll(good, "\n", "\r\n"),
	} {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Format(sample()))
	f.Add(Format(Proof{Checkpoint: []byte(note)}))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		if !bytes.Equal(Format(p), doc) {
			t.Fatalf("Parse accepted a document Format does not reproduce:\n%q\n%q", doc, Format(p))
		}
	})
}
