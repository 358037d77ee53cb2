package main

import (
	"sync"

	"9emu/aout"
	"9emu/cmd/internal/disasm"
)

// images holds the disasm.Image of every executable the processes run,
// made on first use: symbols, source lines and frames for the tracer, the
// debugger, crash reports and profiles.
type images struct {
	mu sync.Mutex
	m  map[*aout.File]*disasm.Image
}

// of returns the Image of f (nil for nil).
func (im *images) of(f *aout.File) *disasm.Image {
	if f == nil {
		return nil
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.m == nil {
		im.m = make(map[*aout.File]*disasm.Image)
	}
	m, ok := im.m[f]
	if !ok {
		// A Go program with an unreadable pclntab still gets symbols.
		m, _ = disasm.NewImage(f)
		im.m[f] = m
	}
	return m
}
