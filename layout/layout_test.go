package layout

import "testing"

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{LogPrefix("ns"), "logs/ns/"},
		{ArchivedCheckpoint(1300), "checkpoints/1300"},
		{Namespace("ns"), "namespaces/ns/index.html"},
		{Audit("ns", 722606), "namespaces/ns/audits/722606"},
		{LastVerifiedEpoch("ns"), "namespaces/ns/last-verified-epoch"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, ok := range []string{"a", "whatsapp.key-transparency.v2", "A_b-c.9"} {
		if !ValidNamespace(ok) {
			t.Errorf("%q rejected", ok)
		}
	}
	long := make([]byte, 129)
	for i := range long {
		long[i] = 'a'
	}
	for _, bad := range []string{"", ".a", "-a", "a/b", "a b", "a\n", string(long), "ü"} {
		if ValidNamespace(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNamespaceOf(t *testing.T) {
	for _, ns := range []string{"a", "whatsapp.key-transparency.v2"} {
		if got := NamespaceOf(LogPrefix(ns)); got != ns {
			t.Errorf("NamespaceOf(LogPrefix(%q)) = %q", ns, got)
		}
	}
	if got := NamespaceOf(""); got != "" {
		t.Errorf("the root log's namespace: %q, want none", got)
	}
}
