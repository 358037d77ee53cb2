// Package sys9 is 9emu's Plan 9 kernel personality: processes (rfork,
// exec, exits, await), file descriptor groups, namespaces built over a
// host directory, devices (#c cons, #e env, #p proc, #| pipe, #d dup,
// #s srv, the host file tree), notes, rendezvous and semaphores, segments
// and errstr, with Plan 9's system-call numbers, argument conventions and
// error strings.
//
// It loads images with aout, builds address spaces with mem and runs them
// with cpu: each Plan 9 process is a goroutine looping on cpu.Run and
// servicing what it returns. Names and constants keep the Plan 9 kernel's
// spelling (Proc, Chan, Qid, Dir, Pgrp, Fgrp, Egrp; OREAD, RFPROC, DMDIR)
// so that readers of sys/src/9/port find their way.
package sys9
