// Child is the program the exec workload starts: it prints a line
// derived from its argument and exits.
package main

import (
	"fmt"
	"hash/fnv"
	"os"
)

func main() {
	h := fnv.New64a()
	for _, a := range os.Args[1:] {
		h.Write([]byte(a))
	}
	fmt.Printf("%s %016x\n", os.Args[len(os.Args)-1], h.Sum64())
}
