package mem

import "unsafe"

// Word32 returns a pointer to the 32-bit word at a, for atomic operations
// by the operating system side (semaphores). The word must be 4-byte
// aligned and lie in a writable segment. The pointer stays valid while
// the page stays mapped; writes through it are seen by every Space that
// shares the page.
func (s *Space) Word32(a Addr) (*uint32, error) {
	if a&3 != 0 {
		return nil, &Fault{Addr: a, Access: Write}
	}
	p, _, f := s.Lookup(a, Write)
	if f != nil {
		return nil, f
	}
	return (*uint32)(unsafe.Pointer(&p[a&PageMask])), nil
}
