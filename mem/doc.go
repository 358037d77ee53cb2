// Package mem is guest memory for 9emu: sparse address spaces made of
// segments of 4 KiB pages, with read, write and execute permissions,
// copy-on-write duplication for fork, and faults returned as values.
//
// It knows nothing of x86 or Plan 9. A Space is a small sorted set of
// Segments (text, data, bss, stack, attached segments), as in Plan 9's
// kernel; pages are allocated on first touch, so a large gap such as the
// one between an amd64 program's text and its data costs nothing.
//
// Sharing: a Segment may belong to several Spaces at once (rfork with
// RFMEM shares data and bss but copies the stack). Spaces that share
// segments also share a generation counter; anything that makes a cached
// page pointer stale (copy-on-write marking, unmapping, shrinking) bumps
// it, and CPUs drop their software TLBs when it changes.
//
// Concurrency: Spaces and Segments are safe for use by several goroutines.
// Page bytes themselves are the guest's business: two guest processes that
// share memory may race on it exactly as they would on hardware.
package mem
