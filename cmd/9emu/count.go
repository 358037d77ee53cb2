package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
)

// counter gathers -count's figures: instructions per process (from the
// CPU's own count, exact), system calls by name, and memory. Nothing in
// them depends on the host: two runs of a deterministic single-process
// program print the same report.
type counter struct {
	mu  sync.Mutex
	sys map[string]int
}

func newCounter() *counter { return &counter{sys: make(map[string]int)} }

// syscall counts one system call.
func (ct *counter) syscall(name string) {
	ct.mu.Lock()
	ct.sys[name]++
	ct.mu.Unlock()
}

// report writes the figures, one fact a line:
//
//	count: pid 1 hello: 12345 instructions, 9 system calls, 31 pages touched, peak memory 2170880 bytes
//	count: total: 12345 instructions, 9 system calls, 1 process
//	count: system calls: brk_ 2, exits 1, open 1, pwrite 5
//
// Pages touched are the most 4 KiB pages of the process's segments that
// were in use at once; peak memory is the largest size of its image (text,
// data, bss and heap in full, and the stack pages touched). A process that
// had not ended when 9emu finished shows "still running".
func (ct *counter) report(w io.Writer, procs []*pstate) {
	procs = append([]*pstate(nil), procs...)
	sort.Slice(procs, func(i, j int) bool { return procs[i].pid < procs[j].pid })
	var b strings.Builder
	var total uint64
	nsys, n := 0, 0
	for _, ps := range procs {
		select {
		case <-ps.p.Done():
		default:
			fmt.Fprintf(&b, "count: pid %d %s: still running\n", ps.pid, ps.name)
			continue
		}
		n++
		total += ps.instructions
		nsys += ps.nsys
		fmt.Fprintf(&b, "count: pid %d %s: %d instructions, %d system calls, %d pages touched, peak memory %d bytes\n",
			ps.pid, ps.name, ps.instructions, ps.nsys, ps.peakPages, ps.peakSize)
	}
	plural := "es"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "count: total: %d instructions, %d system calls, %d process%s\n", total, nsys, n, plural)
	ct.mu.Lock()
	var l []string
	for _, name := range slices.Sorted(maps.Keys(ct.sys)) {
		l = append(l, fmt.Sprintf("%s %d", name, ct.sys[name]))
	}
	ct.mu.Unlock()
	fmt.Fprintf(&b, "count: system calls: %s\n", strings.Join(l, ", "))
	io.WriteString(w, b.String())
}
