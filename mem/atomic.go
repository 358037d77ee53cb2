package mem

import (
	"sync/atomic"
	"unsafe"
)

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

// Load32, Add32 and CompareAndSwap32 operate atomically on the 32-bit
// word at a (4-byte aligned, in a writable segment) for the operating
// system side, inside Enter/Leave so that a concurrent fork cannot make
// the page copy-on-write between finding it and using it.
func (s *Space) Load32(a Addr) (uint32, error) {
	s.Enter()
	defer s.Leave()
	w, err := s.Word32(a)
	if err != nil {
		return 0, err
	}
	return atomic.LoadUint32(w), nil
}

func (s *Space) Add32(a Addr, delta int32) (uint32, error) {
	s.Enter()
	defer s.Leave()
	w, err := s.Word32(a)
	if err != nil {
		return 0, err
	}
	return atomic.AddUint32(w, uint32(delta)), nil
}

func (s *Space) CompareAndSwap32(a Addr, old, new uint32) (bool, error) {
	s.Enter()
	defer s.Leave()
	w, err := s.Word32(a)
	if err != nil {
		return false, err
	}
	return atomic.CompareAndSwapUint32(w, old, new), nil
}
