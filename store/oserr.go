package store

import (
	"errors"
	"syscall"
)

// isNotDir reports a path through a non-directory: some ancestor of the
// key's name is a file.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// isDirErr reports an operation on a directory that needed a file.
func isDirErr(err error) bool { return errors.Is(err, syscall.EISDIR) }
