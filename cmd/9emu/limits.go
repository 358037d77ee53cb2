package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// defaultMaxProcs is 9front's process table size on a machine with
// memory to spare (conf.nproc is capped at 2000).
const defaultMaxProcs = 2000

// defaultMaxMem returns half the host's memory when it can be read
// (Linux), else 4 GiB.
func defaultMaxMem() int64 {
	if n := hostMemory(); n > 0 {
		return n / 2
	}
	return 4 << 30
}

// hostMemory returns the host's physical memory in bytes from
// /proc/meminfo, or 0.
func hostMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
			n, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return n << 10
			}
		}
	}
	return 0
}

// sizeFlag is a byte count given as a number with an optional K, M, G or
// T suffix (powers of 1024).
type sizeFlag struct{ n int64 }

func (s *sizeFlag) String() string { return strconv.FormatInt(s.n, 10) }

func (s *sizeFlag) Set(v string) error {
	mult := int64(1)
	if i := len(v) - 1; i > 0 {
		switch v[i] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		case 't', 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			v = v[:i]
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a positive size such as 512M or 4G")
	}
	s.n = n * mult
	return nil
}
