// Pwd prints the current directory, as Plan 9's pwd does: Go's os tests
// run /bin/pwd (TestStartProcess), and the tree TestStdlib gives them has
// this program there.
package main

import (
	"fmt"
	"os"
)

func main() {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pwd:", err)
		os.Exit(1)
	}
	fmt.Println(wd)
}
