package store

import (
	"errors"
	"os"
	"syscall"
)

// syncFS flushes the whole filesystem holding f with syncfs(2): one call
// writes back every dirty file and directory and waits once, where one fsync
// per file waits for one journal commit each. Linux reports writeback errors
// from syncfs since 5.8. It returns errNoSyncFS when the call is not
// available (an old kernel, a seccomp filter), so the caller can fall back.
func syncFS(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(sysSyncfs, fd, 0, 0)
	})
	if err != nil {
		return err
	}
	switch {
	case errno == 0:
		return nil
	case errors.Is(errno, syscall.ENOSYS), errors.Is(errno, syscall.EPERM), errors.Is(errno, syscall.EACCES):
		return errNoSyncFS
	default:
		return &os.SyscallError{Syscall: "syncfs", Err: errno}
	}
}
