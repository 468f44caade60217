package site

import (
	"fmt"
	"slices"

	"stele/layout"
)

// Roots from each kind of page to the site root.
const (
	rootOfIndex     = ""
	rootOfNamespace = "../../"    // logs/<ns>/index.html
	rootOfLogPage   = "../../../" // logs/<ns>/epochs/..., logs/<ns>/checkpoint-history/...
)

type statusArgs struct {
	Log     Log
	StaleMs int64
}

func staleMs(d int64) int64 {
	if d <= 0 {
		return DefaultStaleAfter.Milliseconds()
	}
	return d
}

// pageLink is one epoch page in a list.
type pageLink struct {
	K           int64
	First, Last uint64
	Entries     int
	Violations  bool
}

// pageLinks lists the pages of x newest first, at most limit of them
// (limit < 0: all).
func pageLinks(x *EpochIndex, limit int) []pageLink {
	if x == nil {
		return nil
	}
	var out []pageLink
	for k := len(x.Pages) - 1; k >= 0 && (limit < 0 || len(out) < limit); k-- {
		p := x.Pages[k]
		l := pageLink{K: int64(k), First: p.First, Last: p.Last, Entries: p.Entries}
		for _, v := range x.Violations {
			l.Violations = l.Violations || PageOf(v.Entry) == int64(k)
		}
		out = append(out, l)
	}
	return out
}

// RenderIndex renders the site's front page, layout.IndexPage.
func RenderIndex(x Index) ([]byte, error) {
	return render("index", view{
		Meta:  x.Meta,
		Root:  rootOfIndex,
		Title: "Audit logs",
		Data: struct {
			Logs    []Log
			StaleMs int64
		}{x.Logs, staleMs(x.StaleAfter.Milliseconds())},
	})
}

// newestOnOverview is how many epoch pages a namespace's page lists.
const newestOnOverview = 8

// RenderOverview renders a namespace's page, layout.NamespacePage.
func RenderOverview(o Overview) ([]byte, error) {
	var violations []Violation
	count := 0
	if o.Pages != nil {
		violations, count = o.Pages.Violations, len(o.Pages.Pages)
	}
	return render("namespace", view{
		Meta:   o.Meta,
		Root:   rootOfNamespace,
		Title:  o.Log.Name,
		Crumbs: []crumb{{rootOfNamespace + layout.IndexPage, "all logs"}},
		Data: struct {
			Log        Log
			StaleMs    int64
			Violations []Violation
			Newest     []pageLink
			PageCount  int
		}{o.Log, staleMs(o.StaleAfter.Milliseconds()), violations, pageLinks(o.Pages, newestOnOverview), count},
	})
}

// RenderEpochs renders the page of one entry bundle, layout.EpochPage.
// Entries must be the bundle's records from its first entry on, at most
// PageWidth of them; the page is full (and never changes) when there are
// PageWidth.
func RenderEpochs(e Epochs) ([]byte, error) {
	if len(e.Entries) == 0 || len(e.Entries) > PageWidth {
		return nil, fmt.Errorf("rendering epoch page %d: %d entries", e.Bundle, len(e.Entries))
	}
	for j, en := range e.Entries {
		if en.Index != e.Bundle*PageWidth+int64(j) || en.Record == nil {
			return nil, fmt.Errorf("rendering epoch page %d: entry %d is not the bundle's entry %d", e.Bundle, en.Index, j)
		}
	}
	first, last := e.Entries[0], e.Entries[len(e.Entries)-1]
	return render("epochs", view{
		Meta:  e.Meta,
		Root:  rootOfLogPage,
		Title: fmt.Sprintf("%s epochs %d–%d", e.Log.Name, first.Record.Epoch, last.Record.Epoch),
		Crumbs: []crumb{
			{rootOfLogPage + layout.IndexPage, "all logs"},
			{rootOfLogPage + layout.NamespacePage(e.Log.Name), e.Log.Name},
		},
		Data: struct {
			Log                   LogRef
			Entries               []Entry
			First, Last           uint64
			FirstEntry, LastEntry int64
			Full, HasPrev         bool
			Prev, Next            int64
		}{
			e.Log, e.Entries, first.Record.Epoch, last.Record.Epoch, first.Index, last.Index,
			len(e.Entries) == PageWidth, e.Bundle > 0, e.Bundle - 1, e.Bundle + 1,
		},
	})
}

// RenderEpochList renders the list of a namespace's epoch pages,
// layout.EpochList.
func RenderEpochList(l EpochList) ([]byte, error) {
	size := int64(0)
	if l.Pages != nil {
		size = l.Pages.Size
	}
	return render("epochlist", view{
		Meta:  l.Meta,
		Root:  rootOfLogPage,
		Title: l.Log.Name + " epochs",
		Crumbs: []crumb{
			{rootOfLogPage + layout.IndexPage, "all logs"},
			{rootOfLogPage + layout.NamespacePage(l.Log.Name), l.Log.Name},
		},
		Data: struct {
			Log   LogRef
			Size  int64
			Pages []pageLink
		}{l.Log, size, pageLinks(l.Pages, -1)},
	})
}

// HistoryPages is the number of checkpoint-history pages for count
// archived checkpoints (at least one, the index page).
func HistoryPages(count int) int {
	if count <= 0 {
		return 1
	}
	return (count-1)/layout.HistoryPageSize + 1
}

// HistoryKey is the key of history page p of namespace ns when count
// checkpoints are archived: the last page is the history's index page.
func HistoryKey(ns string, count, p int) string {
	if p == HistoryPages(count)-1 {
		return layout.HistoryIndex(ns)
	}
	return layout.HistoryPage(ns, p)
}

// RenderHistory renders page h.Page of a namespace's checkpoint history
// (see HistoryKey for its key).
func RenderHistory(h History) ([]byte, error) {
	pages := HistoryPages(len(h.Sizes))
	if h.Page < 0 || h.Page >= pages {
		return nil, fmt.Errorf("rendering checkpoint history page %d of %d", h.Page, pages)
	}
	lo := h.Page * layout.HistoryPageSize
	hi := min(lo+layout.HistoryPageSize, len(h.Sizes))
	sizes := slices.Clone(h.Sizes[lo:hi])
	slices.Reverse(sizes)
	var newer, older string
	if h.Page+1 < pages {
		newer = HistoryKey(h.Log.Name, len(h.Sizes), h.Page+1)
	}
	if h.Page > 0 {
		older = HistoryKey(h.Log.Name, len(h.Sizes), h.Page-1)
	}
	return render("history", view{
		Meta:  h.Meta,
		Root:  rootOfLogPage,
		Title: h.Log.Name + " checkpoints",
		Crumbs: []crumb{
			{rootOfLogPage + layout.IndexPage, "all logs"},
			{rootOfLogPage + layout.NamespacePage(h.Log.Name), h.Log.Name},
		},
		Data: struct {
			Log          LogRef
			Sizes        []int64
			Total        int
			Newer, Older string
		}{h.Log, sizes, len(h.Sizes), newer, older},
	})
}
