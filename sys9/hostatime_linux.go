package sys9

import (
	"io/fs"
	"syscall"
)

func accessTime(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint32(st.Atim.Sec)
	}
	return 0
}
