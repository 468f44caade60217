package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"stele/publish"
)

// progressBar draws one line of progress on a terminal: the namespace,
// epochs appended, epochs/s and MB/s. It is nil when stderr is not a
// terminal (cron, CI), where the log lines are enough.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	last  time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressBar{w: w, start: time.Now()}
}

func (p *progressBar) update(pr publish.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	secs := now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\r\033[K%s: %d epochs (last %d), %.1f epochs/s, %.1f MB/s",
		pr.Namespace, pr.Epochs, pr.Last, float64(pr.Epochs)/secs, float64(pr.BytesRead)/1e6/secs)
}

func (p *progressBar) done() { fmt.Fprint(p.w, "\r\033[K") }
