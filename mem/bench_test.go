package mem

import "testing"

// BenchmarkLookup is the TLB fill path on a hit: the page exists, the
// access is allowed, nothing is copied. The address is in the stack, the
// last of five segments, as on a real 386 layout.
func BenchmarkLookup(b *testing.B) {
	s, _, _, _, _, _ := testSpace(b)
	if _, _, f := s.Lookup(0x11000, Write); f != nil {
		b.Fatal(f)
	}
	for b.Loop() {
		if _, _, f := s.Lookup(0x11008, Read); f != nil {
			b.Fatal(f)
		}
	}
}
