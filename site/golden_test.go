package site

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"stele/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./site -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got %s\nwant %s", name, got, want)
	}
}

// keysOf lists the keys of a JSON object in order, with nested objects'
// keys after their own as "parent.child".
func keysOf(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	var walk func(prefix string)
	walk = func(prefix string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, _ := dec.Token()
				keys = append(keys, prefix+k.(string))
				walk(prefix + k.(string) + ".")
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk(prefix + "[].")
			}
			dec.Token()
		}
	}
	walk("")
	return keys
}

// The Plexi read API's objects, as stele publishes them. The key lists are
// Plexi's (plexi_core's serde shapes, spec plexi.md), in Plexi's order.
func TestGoldenPlexiShapes(t *testing.T) {
	key := testKey()
	pub := key.Public().(ed25519.PublicKey)
	e := uint64(722640)
	ns := NewNamespaceInfo("whatsapp.key-transparency.v2", "https://bucket.example/proofs", "722600/"+digest("anchor"), StatusOnline, 1)
	ns.LastVerifiedEpoch = &e
	halted := NewNamespaceInfo("experimental", "", "0/"+digest("zero"), StatusDisabled, 2)
	fresh := NewNamespaceInfo("new", "", "", StatusInitialization, 1)

	entries := testEntries(t, "whatsapp.key-transparency.v2", 0, 2, 722600)
	resp, err := entries[1].Record.SignatureResponse()
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Verify(pub); err != nil {
		t.Fatal(err)
	}
	audit, err := resp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	nsKeys := []string{"name", "log_directory", "root", "last_verified_epoch", "status", "reports_uri", "audits_uri", "signature_version", "ciphersuite"}
	for _, tc := range []struct {
		file string
		v    any
		keys []string
	}{
		{"info.json", Info{Keys: []KeyInfo{{PublicKey: hex.EncodeToString(pub), NotBefore: 1_795_000_000_000}}, Logs: []string{"/logs/whatsapp.key-transparency.v2/"}},
			[]string{"keys", "keys.[].public_key", "keys.[].not_before", "logs"}},
		{"namespace.json", ns, nsKeys},
		{"namespaces.json", Namespaces{[]NamespaceInfo{ns, halted, fresh}}, nil},
		{"last-verified-epoch.json", LastVerifiedEpoch{JobID: JobID("whatsapp.key-transparency.v2", e), Epoch: e, StartHash: digest("722639"), EndHash: digest("722640"), Timestamp: 1_795_000_040_000},
			[]string{"job_id", "epoch", "start_hash", "end_hash", "timestamp"}},
		{"audit.json", json.RawMessage(audit),
			[]string{"version", "ciphersuite", "namespace", "timestamp", "epoch", "digest", "signature", "key_id", "serialized_message"}},
	} {
		b, err := Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, b)
		if tc.keys != nil && !reflect.DeepEqual(keysOf(t, b), tc.keys) {
			t.Errorf("%s: keys %v, want Plexi's %v", tc.file, keysOf(t, b), tc.keys)
		}
	}
	// The audit object parses back as Plexi's SignatureResponse, and its
	// serialized_message is exactly the signed bytes.
	got, err := record.ParseSignatureResponse(audit)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(pub); err != nil {
		t.Fatal(err)
	}
}
