// Package disasm names and decodes the code of a Plan 9 a.out for the
// commands that show it: 9obj's listings, and 9emu's instruction trace,
// crash reports, debugger and profiles. It answers "which function and
// source line is this address", "what instruction is here, in Plan 9
// assembler syntax with symbol names", "where is file:line or symbol+off"
// and "who called this frame".
//
// Source lines come from the a.out's pc/line table for 8c/6c programs, and
// for Go programs (which have none) from the pclntab the Go runtime keeps
// in its text segment; frames are unwound with the .frame sizes of the
// symbol table (8c/6c) or the pc/sp tables of that pclntab (Go).
//
// It is used only by commands (cmd/...): the emulator's packages do not
// decode x86 outside cpu, and do not import it.
package disasm
