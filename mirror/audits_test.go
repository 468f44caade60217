package mirror_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"stele/mirror"
	"stele/record"
	"stele/verify"
)

// TestMirrorChecksAudits serves audit objects that differ from the log's
// records: the mirror must fail the log, naming the audit object, as a
// Plexi client of the site would be shown a statement the log lacks.
func TestMirrorChecksAudits(t *testing.T) {
	s := newTestSite(t)
	const victim = "/namespaces/wa/audits/503"
	for name, change := range map[string]func(t *testing.T, body, other []byte) []byte{
		"another epoch's response": func(t *testing.T, body, other []byte) []byte { return other },
		"another timestamp, parsing cleanly": func(t *testing.T, body, _ []byte) []byte {
			r, err := record.ParseSignatureResponse(bytes.TrimSuffix(body, []byte("\n")))
			if err != nil {
				t.Fatal(err)
			}
			r.Timestamp++
			r.SerializedMessage = nil
			b, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			return append(b, '\n')
		},
		"not a response": func(t *testing.T, body, _ []byte) []byte { return []byte("{}\n") },
	} {
		t.Run(name, func(t *testing.T) {
			srv := serveDir(t, s.dir)
			other := get(t, srv.URL+"/namespaces/wa/audits/504").body
			srv.rewrite = func(path string, body []byte) []byte {
				if path == victim {
					return change(t, body, other)
				}
				return body
			}
			res := mirrorURL(t, srv.URL, filepath.Join(t.TempDir(), "copy"), s.verifier, mirror.Options{})
			if res.Outcome() != verify.ResultFailed {
				t.Fatalf("outcome %s, want failed: %v", res.Outcome(), res.Err)
			}
			found := false
			for _, l := range res.Logs {
				if l.Err != nil {
					found = true
					if !verify.IsFailure(l.Err) || !strings.Contains(l.Err.Error(), strings.TrimPrefix(victim, "/")) {
						t.Errorf("log %q: %v, want a failure naming %s", l.Prefix, l.Err, victim)
					}
					t.Logf("%s: %v", l.Prefix, l.Err)
				}
			}
			if !found {
				t.Error("no log failed")
			}
		})
	}
}
