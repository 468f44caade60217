//go:build !linux

package store

import "os"

// syncFS is Linux-only; elsewhere Dir fsyncs file by file.
func syncFS(*os.File) error { return errNoSyncFS }
