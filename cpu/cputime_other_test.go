//go:build !unix

package cpu

import "time"

var start = time.Now()

func cpuTime() time.Duration { return time.Since(start) }
