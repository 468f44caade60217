package publish_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"stele/layout"
	"stele/publish"
	"stele/site"
	"stele/store/storefault"
)

// TestSiteObjectsUnreadable: a run that cannot read the site's /info, or
// a namespace's info, writes nothing and says so (exit 3), rather than
// rewrite them from scratch: the key's not_before stays where the first
// run put it, and the namespace list keeps its statuses.
func TestSiteObjectsUnreadable(t *testing.T) {
	for _, key := range []string{layout.Info, layout.Namespace("wa")} {
		t.Run(key, func(t *testing.T) {
			s := newJobSite(t, 6, specWA)
			s.logger = nil
			st := storefault.NewMem()
			wantResult(t, s.runOn(st, s.now, publish.Options{}), "wa", publish.ResultOK, 0)
			notBefore := func() int64 {
				o, err := st.Get(context.Background(), layout.Info)
				if err != nil {
					t.Fatal(err)
				}
				var info site.Info
				if err := json.Unmarshal(o.Data, &info); err != nil {
					t.Fatal(err)
				}
				return info.Keys[0].NotBefore
			}
			nb0, keys0 := notBefore(), st.Keys()
			s.extend(1)
			plan := storefault.Once(storefault.FailKey(storefault.OpGet, key, storefault.Before))
			wantResult(t, s.runOn(storefault.New(st, plan), s.now.Add(time.Hour), publish.Options{}), "wa", publish.ResultUnchecked, 3)
			if keys := st.Keys(); len(keys) != len(keys0) {
				t.Errorf("a run that could not read %s wrote %d objects", key, len(keys)-len(keys0))
			}
			wantResult(t, s.runOn(st, s.now.Add(2*time.Hour), publish.Options{}), "wa", publish.ResultOK, 0)
			if nb := notBefore(); nb != nb0 {
				t.Errorf("not_before moved from %d to %d", nb0, nb)
			}
		})
	}
}
