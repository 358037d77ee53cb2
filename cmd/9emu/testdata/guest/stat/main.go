// Stat prints, for every path on its command line, whether it exists and
// what it is (directory, or regular file and its size). It is used to look at
// a namespace from the inside.
package main

import (
	"fmt"
	"os"
)

func main() {
	for _, p := range os.Args[1:] {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			fmt.Printf("%s: exists=false notexist=%v\n", p, os.IsNotExist(err))
			fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
		case fi.IsDir():
			fmt.Printf("%s: exists=true dir\n", p)
		default:
			fmt.Printf("%s: exists=true size=%d\n", p, fi.Size())
		}
	}
}
