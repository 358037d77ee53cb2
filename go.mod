module 9emu

go 1.26.0

require (
	github.com/google/pprof v0.0.0-20211214055906-6f57359322fd
	github.com/pkg/profile v1.7.0
	golang.org/x/arch v0.33.0
	golang.org/x/term v0.48.0
)

require (
	github.com/felixge/fgprof v0.9.3 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
