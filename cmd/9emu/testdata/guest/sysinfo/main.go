// Sysinfo checks what a program learns about its surroundings: working
// directory, process id, host name, its own executable, clocks, randomness,
// the temporary directory and /dev/null. It prints facts, not values, so the
// output is the same everywhere.
//
// Usage: sysinfo DIR, where DIR is the working directory it was started in
// (with symbolic links resolved) and holds a subdirectory "sub".
package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func fact(what string, v any, err error) {
	if err != nil {
		fmt.Printf("%s: unexpected error\n", what)
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		return
	}
	fmt.Printf("%s: %v\n", what, v)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sysinfo dir")
		os.Exit(2)
	}
	dir := os.Args[1]

	wd, err := os.Getwd()
	fact("getwd is dir", wd == dir, err)
	abs, err := filepath.Abs("x")
	fact("abs of relative", abs == filepath.Join(dir, "x"), err)
	err = os.Chdir("sub")
	fact("chdir sub", err == nil, err)
	wd, err = os.Getwd()
	fact("getwd is dir/sub", wd == filepath.Join(dir, "sub"), err)
	err = os.Chdir("..")
	fact("chdir ..", err == nil, err)
	wd, err = os.Getwd()
	fact("getwd is dir again", wd == dir, err)

	fact("pid positive", os.Getpid() > 0, nil)
	host, err := os.Hostname()
	fact("hostname non-empty", host != "", err)
	exe, err := os.Executable()
	fact("executable", strings.TrimSuffix(filepath.Base(exe), ".exe"), err)
	fact("executable absolute", filepath.IsAbs(exe), nil)
	fact("cpus positive", runtime.NumCPU() > 0, nil)
	fact("page size positive", os.Getpagesize() > 0, nil)

	now := time.Now()
	fact("year plausible", now.Year() >= 2024 && now.Year() < 2200, nil)
	fact("unix nanos plausible", now.UnixNano() > 1700000000*1e9, nil)
	t0 := time.Now()
	time.Sleep(5 * time.Millisecond)
	d := time.Since(t0)
	fact("monotonic sleep >= 5ms", d >= 5*time.Millisecond, nil)
	fact("monotonic sleep < 10s", d < 10*time.Second, nil)
	t1 := time.Now()
	fact("clock never goes back", !t1.Before(t0), nil)

	buf := make([]byte, 64)
	_, err = rand.Read(buf)
	fact("crypto/rand non-zero", !bytes.Equal(buf, make([]byte, 64)), err)
	buf2 := make([]byte, 64)
	_, err = rand.Read(buf2)
	fact("crypto/rand differs", !bytes.Equal(buf, buf2), err)

	fi, err := os.Stat(os.TempDir())
	if err == nil {
		fact("tempdir is dir", fi.IsDir(), nil)
	} else {
		fact("tempdir", nil, err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fact("open devnull", nil, err)
	} else {
		n, err := null.Write([]byte("discarded"))
		fact("devnull write", n, err)
		n, err = null.Read(buf)
		fact("devnull read eof", n == 0 && err == io.EOF, nil)
		null.Close()
	}
	fi, err = os.Stdin.Stat()
	fact("stdin stat", err == nil, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stdin stat:", err)
	}
	_ = fi
}
