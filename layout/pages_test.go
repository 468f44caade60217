package layout

import (
	"strings"
	"testing"
)

func TestPageNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{IndexPage, "index.html"},
		{NamespacePage("ns"), "logs/ns/index.html"},
		{EpochPage("ns", 0), "logs/ns/epochs/0.html"},
		{EpochPage("ns", 2823), "logs/ns/epochs/2823.html"},
		{EpochList("ns"), "logs/ns/epochs/index.html"},
		{EpochIndex("ns"), "logs/ns/epochs/index.json"},
		{HistoryIndex("ns"), "logs/ns/checkpoint-history/index.html"},
		{HistoryPage("ns", 3), "logs/ns/checkpoint-history/3.html"},
		{Asset("verify-0123.js"), "assets/verify-0123.js"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// No page key may be a prefix of a log's own objects, or the other way
	// round ("Keys that are also prefixes").
	logKeys := []string{Checkpoint, History, Lock, ArchivedCheckpoint(5), "tile/0/000"}
	pages := []string{NamespacePage("ns"), EpochPage("ns", 5), EpochList("ns"), EpochIndex("ns"), HistoryIndex("ns"), HistoryPage("ns", 0)}
	for _, p := range pages {
		for _, k := range logKeys {
			k = LogPrefix("ns") + k
			if strings.HasPrefix(p, k+"/") || strings.HasPrefix(k, p+"/") || p == k {
				t.Errorf("page %s and log object %s collide", p, k)
			}
		}
	}
	for _, m := range []Metadata{MDPage, MDPageImmutable, MDScript} {
		if m.ContentEncoding != "gzip" {
			t.Errorf("%+v is not gzip", m)
		}
	}
	if MDPageImmutable.CacheControl != Immutable || MDPage.CacheControl != Short || MDScript.CacheControl != Immutable {
		t.Error("cache policies of pages")
	}
}
