package main

import "os"

// The tests of this package must not read or write the user's cache
// directory, nor see each other's remembered checkpoints: unless a test
// chooses -state, verify runs without state. The end-to-end tests' binary
// inherits this.
func init() {
	os.Setenv("STELE_STATE", "none")
}
