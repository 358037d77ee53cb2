// Package cpu is 9emu's x86 interpreter, for 386 (32-bit flat protected
// mode) and amd64 (64-bit mode) user code. It knows x86, not Plan 9.
//
// Instructions are decoded once per address with x86asm, lowered into a
// compact inst (a handler chosen for the operation, operand size and form,
// with registers, displacement and immediate resolved), grouped into
// straight-line blocks and cached on the memory segment they came from,
// so processes that share text share decoded code. Run executes from that
// cache and returns an Exit when the guest needs its operating system: a
// system call, a fault or trap, an interrupt request, or the end of its
// instruction budget. The caller (sys9) decides what happens next; cpu
// never calls up.
//
// Arithmetic flags are lazy: an instruction records its kind, size,
// operands and result, and the flags are computed when something reads
// them. Memory goes through a small direct-mapped software TLB in front of
// mem.Space. A guest fault unwinds with a private panic that Run recovers;
// the PC is rewound to the faulting instruction, and nothing the guest
// does can crash the host.
package cpu
