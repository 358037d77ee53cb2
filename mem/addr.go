package mem

import "fmt"

// Addr is a guest virtual address, on either architecture.
type Addr uint64

// PageSize is the size of a guest page; PageShift is its log2.
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = PageSize - 1
)

// RoundUp rounds a up to a multiple of n (a power of two).
func RoundUp(a, n Addr) Addr { return (a + n - 1) &^ (n - 1) }

// RoundDown rounds a down to a multiple of n (a power of two).
func RoundDown(a, n Addr) Addr { return a &^ (n - 1) }

// Access is the kind of a memory access; as a set it is a permission.
type Access uint8

const (
	Read Access = 1 << iota
	Write
	Exec

	RW  = Read | Write
	RX  = Read | Exec
	RWX = Read | Write | Exec
)

func (a Access) String() string {
	switch a {
	case Read:
		return "read"
	case Write:
		return "write"
	case Exec:
		return "exec"
	}
	b := []byte("---")
	if a&Read != 0 {
		b[0] = 'r'
	}
	if a&Write != 0 {
		b[1] = 'w'
	}
	if a&Exec != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// Fault describes a failed guest memory access.
type Fault struct {
	Addr   Addr
	Access Access
}

func (f *Fault) Error() string {
	return fmt.Sprintf("fault %v addr=%#x", f.Access, uint64(f.Addr))
}
