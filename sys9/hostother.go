//go:build !unix

package sys9

import "io/fs"

func inodeOf(fi fs.FileInfo) (uint64, bool) { return 0, false }

func ownerOf(fi fs.FileInfo) (uid, gid int) { return -1, -1 }

func lookupUser(id int) string { return "" }
