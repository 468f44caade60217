//go:build !linux

package s3test

import "syscall"

// sysProcAttr has nothing to add where the parent's death cannot be
// signalled: Main stops the server.
func sysProcAttr() *syscall.SysProcAttr { return nil }
