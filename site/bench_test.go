package site

import "testing"

// BenchmarkRenderEpochs renders the page of a full entry bundle, the page a
// backfill writes once per 256 epochs.
func BenchmarkRenderEpochs(b *testing.B) {
	entries := testEntries(b, "whatsapp.key-transparency.v2", 256, 256, 722600)
	e := Epochs{Meta: testMeta(), Log: testLog("whatsapp.key-transparency.v2").LogRef, Bundle: 1, Entries: entries}
	var size, zsize int
	for b.Loop() {
		page, err := RenderEpochs(e)
		if err != nil {
			b.Fatal(err)
		}
		size, zsize = len(page), len(Gzip(page))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(size), "bytes/page")
	b.ReportMetric(float64(zsize), "gzip-bytes/page")
}
