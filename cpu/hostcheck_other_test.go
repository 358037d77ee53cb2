//go:build !(linux && amd64)

package cpu

import "testing"

// hostOracle: the native oracle needs an amd64 Linux host (its trampoline
// is hostcheck_amd64.s, its fixed mappings hostcheck_linux_amd64_test.go).
func hostOracle(t testing.TB) oracle {
	t.Skip("the integer hardware oracle needs an amd64 Linux host")
	return nil
}
