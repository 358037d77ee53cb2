//go:build !(linux && amd64)

package cpu

import "testing"

func TestSSEHost(t *testing.T) {
	t.Skip("the SSE hardware oracle needs an amd64 host running Linux (it relies on Go turning SIGFPE into a panic)")
}
