package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for phonetree itself: with
// PHONETREE_TEST_MAIN=1 it runs main, so tests start real phonetree
// processes (and kill them) without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("PHONETREE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
