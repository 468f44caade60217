package site

import (
	"regexp"
	"testing"
)

func TestNamespaceInfoShape(t *testing.T) {
	ni := NewNamespaceInfo("wa", "", "722606/ab", StatusOnline, 1)
	e := uint64(722610)
	ni.LastVerifiedEpoch = &e
	b, err := Marshal(Namespaces{[]NamespaceInfo{ni}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"namespaces":[{"name":"wa","log_directory":null,"root":"722606/ab","last_verified_epoch":722610,"status":"Online","reports_uri":"/namespaces/wa/reports","audits_uri":"/namespaces/wa/audits","signature_version":1,"ciphersuite":1}]}` + "\n"
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	ni = NewNamespaceInfo("wa", "https://bucket.example", "", StatusInitialization, 2)
	b, _ = Marshal(ni)
	want = `{"name":"wa","log_directory":"https://bucket.example","root":null,"status":"Initialization","reports_uri":"/namespaces/wa/reports","audits_uri":"/namespaces/wa/audits","signature_version":2,"ciphersuite":2}` + "\n"
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestInfoAndLastVerifiedShape(t *testing.T) {
	b, _ := Marshal(Info{Keys: []KeyInfo{{PublicKey: "aa", NotBefore: 5}}, Logs: []string{"/logs/wa/"}})
	if want := `{"keys":[{"public_key":"aa","not_before":5}],"logs":["/logs/wa/"]}` + "\n"; string(b) != want {
		t.Fatalf("got %s", b)
	}
	b, _ = Marshal(LastVerifiedEpoch{JobID: "j", Epoch: 3, StartHash: "01", EndHash: "02", Timestamp: 9})
	if want := `{"job_id":"j","epoch":3,"start_hash":"01","end_hash":"02","timestamp":9}` + "\n"; string(b) != want {
		t.Fatalf("got %s", b)
	}
}

func TestJobID(t *testing.T) {
	a, b := JobID("wa", 1), JobID("wa", 2)
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !re.MatchString(a) || a == b || a != JobID("wa", 1) {
		t.Fatalf("job IDs %s %s", a, b)
	}
	// RFC 9562 appendix: UUIDv5 of "www.example.com" in the DNS namespace.
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	u := uuid5(dns, "www.example.com")
	if got := hexUUID(u); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Fatalf("uuid5 known answer: %s", got)
	}
}

func hexUUID(u [16]byte) string {
	const h = "0123456789abcdef"
	var out []byte
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, h[c>>4], h[c&15])
	}
	return string(out)
}
