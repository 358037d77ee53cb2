// Package aout reads and writes Plan 9 a.out executables for the 386
// (8l, magic 0x1EB) and amd64 (6l, magic 0x8A97): the header, the virtual
// layout the kernel's exec gives them, the symbol table, and the pc/line
// table with libmach's history-stack rules for turning a pc into a
// file:line. It knows the a.out format and nothing of memory, CPUs or
// Plan 9 processes; mapping a File into an address space is the caller's
// job (sys9's exec).
//
// The package is pure: it does no I/O beyond the io.ReaderAt handed to
// NewFile (Open reads the named file once and closes it), starts no
// goroutines and has no mutable package state.
//
// Trust: headers are treated as hostile. NewFile checks every size
// against the file size before reading, allocates no more than the file
// holds (the tables built lazily later take a small multiple of their
// size), and applies exec's checks (entry inside text, nothing reaching
// the stack). A malformed symbol or pc/line table does not make NewFile
// fail, because a program with a bad table still runs: the tables are
// decoded on first use, what decodes is used, and SymErr reports the rest.
//
// Lookup and LineAt serve instruction tracing: after the first call they
// are binary searches that do not allocate.
//
// The rules implemented are those of plan9-abi.md §1 (from a.out(6),
// 9front's sysexec and libmach's sym.c). Go's debug/plan9obj is the
// oracle the tests compare against; it is not used here because it does
// not validate sizes, compute the data layout or read the pc/line table.
package aout
