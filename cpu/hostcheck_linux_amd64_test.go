package cpu

// The native half of the integer hardware oracle (oracle_test.go): the
// instruction bytes under test run on the host CPU from an executable page
// mapped at the same address as the emulator's text, with their data window
// mapped at the same address as the emulator's data, so that RIP-relative
// and absolute operands, pushed return addresses and every byte of memory
// compare directly. hostcheck_amd64.s has the trampoline.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"unsafe"
)

// hostRun runs the code at st.entry from the state in st and stores the
// state after it back into st.
func hostRun(st *hostState)

// hostBack is never called from Go: the epilogue jumps to it. Declaring it
// lets vet check the assembly.
func hostBack()

// hostState is the block hostRun loads the state from and stores it to; its
// layout is the assembly's (hsR, hsFlags, ... in hostcheck_amd64.s). It
// lives in a page of its own at hkState, below 2 GiB, so that the
// epilogue can address its slots with 32-bit absolute addresses.
type hostState struct {
	R       [16]uint64    // hsR
	Flags   uint64        // hsFlags
	MXCSR   uint32        // hsMXCSR
	UseFX   uint32        // hsUseFX: load FX with FXRSTOR instead of X and MXCSR
	X       [16][2]uint64 // hsX
	goSP    uint64        // hsGoSP ... hsGoFlags: what Go needs back
	goBP    uint64
	goR12   uint64
	goR13   uint64
	goR14   uint64
	goR15   uint64
	goFlags uint64
	entry   uint64 // hsEntry: the landing pad
	back    uint64 // hsBack: hostBack's address, for the epilogue's jump
	slot    uint64 // hsSlot: the scratch stack top in, the guest's RSP out
	_       [32]byte
	FX      [512]byte // hsFX: the FXSAVE image in (with UseFX) and out
	goFX    [512]byte // hsGoFX
	scratch [512]byte // the epilogue's stack, up to hsTop+8
}

const hkState = hkCode + 0x1000

// hkLanding loads the last two registers: mov rsp, [rax+32]; mov rax, [rax].
var hkLanding = []byte{0x48, 0x8b, 0x60, 0x20, 0x48, 0x8b, 0x00}

// hkEpilog returns to hostBack without losing a register or a flag:
// xchg [slot], rsp (the slot holds the scratch stack top, and then the
// guest's RSP); pushfq; jmp [back].
func hkEpilog() []byte {
	b := []byte{0x48, 0x87, 0x24, 0x25, 0, 0, 0, 0, 0x9c, 0xff, 0x24, 0x25, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[4:], uint32(hkState+unsafe.Offsetof(hostState{}.slot)))
	binary.LittleEndian.PutUint32(b[12:], uint32(hkState+unsafe.Offsetof(hostState{}.back)))
	return b
}

// nativeCPU runs instruction bytes on the host. There is one per process
// (its pages are at fixed addresses), used under its lock.
type nativeCPU struct {
	mu   sync.Mutex
	code []byte // the executable page at hkCode
	data []byte // the data window at hkData
	st   *hostState
	snip []byte // the snippet now in code
}

var (
	nativeOnce sync.Once
	nativeHost *nativeCPU
	nativeErr  error
)

// mapFixed maps n bytes at exactly addr or fails; it never replaces an
// existing mapping (MAP_FIXED_NOREPLACE; a kernel older than 4.17 takes the
// address as a hint, which the check below catches).
func mapFixed(addr uintptr, n int, prot int) ([]byte, error) {
	const mapFixedNoreplace = 0x100000
	p, _, errno := syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(n), uintptr(prot),
		syscall.MAP_PRIVATE|syscall.MAP_ANON|mapFixedNoreplace, ^uintptr(0), 0)
	if errno != 0 {
		return nil, fmt.Errorf("mmap %#x: %v", addr, errno)
	}
	if p != addr {
		syscall.Syscall(syscall.SYS_MUNMAP, p, uintptr(n), 0)
		return nil, fmt.Errorf("mmap %#x: got %#x", addr, p)
	}
	// The mapping is outside the Go heap and lives as long as the process;
	// going through a pointer variable tells vet so.
	return unsafe.Slice(*(**byte)(unsafe.Pointer(&p)), n), nil
}

// errLayout: hostState and the assembly's offsets disagree.
var errLayout = errors.New("hostState layout does not match hostcheck_amd64.s")

func newNative() (*nativeCPU, error) {
	var s hostState
	for _, f := range []struct{ got, want uintptr }{
		{unsafe.Offsetof(s.Flags), 128}, {unsafe.Offsetof(s.MXCSR), 136}, {unsafe.Offsetof(s.UseFX), 140},
		{unsafe.Offsetof(s.X), 144}, {unsafe.Offsetof(s.goSP), 400}, {unsafe.Offsetof(s.goFlags), 448},
		{unsafe.Offsetof(s.entry), 456}, {unsafe.Offsetof(s.back), 464}, {unsafe.Offsetof(s.slot), 472},
		{unsafe.Offsetof(s.FX), 512}, {unsafe.Offsetof(s.goFX), 1024}, {unsafe.Offsetof(s.scratch), 1536},
		{unsafe.Sizeof(s), 2048}, // hsTop+8
	} {
		if f.got != f.want {
			return nil, errLayout
		}
	}
	code, err := mapFixed(hkCode, 0x1000, syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC)
	if err != nil {
		return nil, err
	}
	stp, err := mapFixed(hkState, 0x1000, syscall.PROT_READ|syscall.PROT_WRITE)
	if err != nil {
		return nil, err
	}
	data, err := mapFixed(hkData, hkDataSize, syscall.PROT_READ|syscall.PROT_WRITE)
	if err != nil {
		return nil, err
	}
	return &nativeCPU{code: code, data: data, st: (*hostState)(unsafe.Pointer(&stp[0]))}, nil
}

// hostOracle returns the host CPU as an oracle, or skips the test.
func hostOracle(t testing.TB) oracle {
	nativeOnce.Do(func() { nativeHost, nativeErr = newNative() })
	if nativeErr == errLayout {
		t.Fatal(nativeErr)
	}
	if nativeErr != nil {
		t.Skipf("no native oracle: %v", nativeErr)
	}
	return nativeHost
}

// run executes snip (which starts at hkSnip and must end, by falling
// through or jumping, at its end) natively from in, and fills out.
func (n *nativeCPU) run(snip []byte, in, out *oracleState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if string(snip) != string(n.snip) {
		c := append(append(append(n.code[:0:len(n.code)], hkLanding...), snip...), hkEpilog()...)
		if len(c) > len(n.code) {
			panic("oracle snippet too long")
		}
		n.snip = append(n.snip[:0], snip...)
	}
	st := n.st
	st.R = in.R
	st.Flags = in.Flags
	st.X = in.X
	st.MXCSR = in.MXCSR
	st.UseFX = 0
	if in.UseFX {
		st.UseFX = 1
		st.FX = in.FX
	}
	st.entry = hkCode
	st.slot = hkState + uint64(unsafe.Offsetof(hostState{}.scratch)) + uint64(len(st.scratch))
	copy(n.data, in.Mem[:])
	hostRun(st)
	out.R = st.R
	out.Flags = st.Flags
	out.X = st.X
	out.MXCSR = st.MXCSR
	out.FX = st.FX
	copy(out.Mem[:], n.data)
}

// TestHostFX checks the trampoline's x87 path: an FXSAVE image goes in
// with FXRSTOR, and comes out with FXSAVE as it went in across a NOP.
func TestHostFX(t *testing.T) {
	h := hostOracle(t)
	var in, out oracleState
	in.R[RSP] = hkData + hkDataSize/2
	in.Flags = 0x202
	in.UseFX = true
	binary.LittleEndian.PutUint16(in.FX[0:], 0x27f)                    // FCW: double precision
	binary.LittleEndian.PutUint16(in.FX[2:], 0x3800)                   // FSW: TOP 7
	in.FX[4] = 0x80                                                    // abridged tag: ST0 (physical 7) valid
	binary.LittleEndian.PutUint32(in.FX[24:], 0x1f80|0x8000)           // MXCSR with FTZ
	binary.LittleEndian.PutUint64(in.FX[32+7*16:], 0x8000000000000000) // R7 = 1.0
	binary.LittleEndian.PutUint16(in.FX[32+7*16+8:], 0x3fff)
	binary.LittleEndian.PutUint64(in.FX[160+3*16:], 0x0123456789abcdef) // XMM3
	h.run([]byte{0x90}, &in, &out)
	for _, r := range [][2]int{{0, 6}, {24, 28}, {32, 160}, {160, 416}} {
		if string(out.FX[r[0]:r[1]]) != string(in.FX[r[0]:r[1]]) {
			t.Errorf("FXSAVE image bytes %d..%d: got % x, want % x", r[0], r[1], out.FX[r[0]:r[1]], in.FX[r[0]:r[1]])
		}
	}
	if out.MXCSR != 0x9f80 || out.X[3][0] != 0x0123456789abcdef {
		t.Errorf("MXCSR %#x, XMM3 %#x: the image did not load them", out.MXCSR, out.X[3][0])
	}
}
