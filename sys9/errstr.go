package sys9

// Error is a Plan 9 error string. Programs compare these texts (Go's os
// package matches "does not exist", "permission denied" and so on), so
// they are spelled exactly as the Plan 9 kernel spells them (port/error.h).
type Error string

func (e Error) Error() string { return string(e) }

const (
	Enonexist   Error = "file does not exist"
	Eexist      Error = "file already exists"
	Eperm       Error = "permission denied"
	Enotdir     Error = "not a directory"
	Eisdir      Error = "file is a directory"
	Ebadarg     Error = "bad arg in system call"
	Ebadfd      Error = "fd out of range or not open"
	Ebadusefd   Error = "inappropriate use of fd"
	Enofd       Error = "no free file descriptors"
	Einuse      Error = "device or object already in use"
	Eio         Error = "i/o error"
	Etoobig     Error = "read or write too large"
	Etoosmall   Error = "read or write too small"
	Ehungup     Error = "i/o on hungup channel"
	Eintr       Error = "interrupted"
	Enochild    Error = "no living children"
	Eprocdied   Error = "process exited"
	Enovmem     Error = "virtual memory allocation failed"
	Enomem      Error = "kernel allocate failed"
	Esoverlap   Error = "segments overlap"
	Ebadexec    Error = "exec header invalid"
	Eisstream   Error = "seek on a stream"
	Enegoff     Error = "negative i/o offset"
	Edirseek    Error = "seek in directory"
	Eshort      Error = "i/o count too small"
	Eshortstat  Error = "stat buffer too small"
	Ebadstat    Error = "malformed stat buffer"
	Etoolong    Error = "name too long"
	Ebadchar    Error = "bad character in file name"
	Efilename   Error = "file name syntax"
	Ebadsharp   Error = "unknown device in # filename"
	Enocreate   Error = "mounted directory forbids creation"
	Eismtpt     Error = "is a mount point"
	Eunmount    Error = "not mounted"
	Emount      Error = "inconsistent mount"
	Eunion      Error = "not in union"
	Eshutdown   Error = "device shut down"
	Enoattach   Error = "mount/attach disallowed"
	Ebadctl     Error = "bad process or channel control request"
	Egreg       Error = "the front fell off"
	Enoreg      Error = "process has no saved registers"
	Enotempty   Error = "directory not empty"
	Enoproc     Error = "process does not exist"
	Enoprocs    Error = "no procs" // the process table is full (Plan 9 waits, saying this)
	Enoteposted Error = "note not posted"
	Ebadsys     Error = "bad arg in system call"
	Eoldwstat   Error = "old wstat system call - recompile"
	Enotimpl    Error = "not implemented"
)
