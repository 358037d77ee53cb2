// Exec starts a small program a few hundred times with os/exec and
// collects what it prints: process creation, program loading, pipes and
// waiting for children (under 9emu: rfork, exec, pipe and await).
//
// The child is the program in ./child, built by the harness next to this
// one under the name exec-child.
//
// Usage: exec [-scale f] [-child path]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

const runs = 150 // children at scale 1

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	child := flag.String("child", "", "the child program (default: exec-child next to this program)")
	flag.Parse()
	n := max(1, int(float64(runs)**scale+0.5))
	if *child == "" {
		*child = filepath.Join(filepath.Dir(os.Args[0]), "exec-child")
		if !strings.ContainsRune(*child, filepath.Separator) {
			// A bare name would be looked up in $PATH.
			*child = "." + string(filepath.Separator) + *child
		}
	}

	var sum uint32
	for i := 0; i < n; i++ {
		out, err := exec.Command(*child, strconv.Itoa(i)).Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "exec: run %d of %s: %v\n", i, *child, err)
			os.Exit(1)
		}
		sum = crc32.Update(sum, crc32.IEEETable, out)
	}
	fmt.Printf("exec: runs=%d checksum=%08x\n", n, sum)
}
