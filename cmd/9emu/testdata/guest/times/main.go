// Times runs itself as a child that spins for a while and prints whether
// the child's user time, as the wait record reports it, is more than
// nothing.
package main

import (
	"fmt"
	"os"
	"os/exec"
)

var sink int

func main() {
	if len(os.Args) > 1 && os.Args[1] == "spin" {
		for i := 0; i < 30_000_000; i++ {
			sink += i ^ sink>>3
		}
		return
	}
	cmd := exec.Command(os.Args[0], "spin")
	if err := cmd.Run(); err != nil {
		fmt.Println("child:", err)
		os.Exit(1)
	}
	st := cmd.ProcessState
	fmt.Println("child user time > 0:", st.UserTime() > 0)
	fmt.Println("child system time >= 0:", st.SystemTime() >= 0)
}
