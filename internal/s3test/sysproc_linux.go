package s3test

import "syscall"

// sysProcAttr makes the server die with the test process, should Main not
// get to stop it (a test binary killed by a timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
