// Package bench holds 9emu's benchmarks. It has no API of its own:
//
//   - *_test.go: testing.B benchmarks of the hot paths through the public
//     packages (x86asm decoding as the baseline, cpu.Run over tight loops,
//     first execution of fresh code, a null system call through sys9,
//     program start-up, fork+exec+await). Run them with
//     go test -run '^$' -bench . ./bench and compare with benchstat.
//   - testdata/work: whole Go programs (workloads) that print a checksum.
//   - cmd/benchrun: the harness that builds the workloads for the host,
//     plan9/386 and plan9/amd64 and times them natively, under 9emu and
//     under qemu-user where installed.
package bench
