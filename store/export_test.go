package store

// Test knobs, for the external tests of this package.

// SetPerFileFlush makes d fsync file by file instead of using syncfs.
func SetPerFileFlush(d *Dir, on bool) { d.perFileFlush = on }

// SetNoLink makes d behave as on a filesystem without hard links.
func SetNoLink(d *Dir, on bool) { d.noLink = on }

// SetAfterPublish has Sync call f after each object becomes visible.
func SetAfterPublish(d *Dir, f func(key string)) { d.afterPublish = f }

// StaleAge is how old an unlocked temporary directory must be to be removed.
const StaleAge = staleAge

// Crash simulates the death of d's process: its temporary files stay where
// they are, its lock is released, and d is unusable.
func Crash(d *Dir) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	d.tmpMu.Lock()
	defer d.tmpMu.Unlock()
	if d.tmp != nil {
		d.tmp.lock.Close()
		d.tmp = nil
	}
}

// TempPath returns d's temporary directory, or "" before its first write.
func TempPath(d *Dir) string {
	d.tmpMu.Lock()
	defer d.tmpMu.Unlock()
	if d.tmp == nil {
		return ""
	}
	return d.tmp.path
}
