package main

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/google/pprof/profile"

	"9emu/aout"
	"9emu/cmd/internal/disasm"
)

// profiler makes the guest profile of -pprof, in the format of
// github.com/google/pprof (go tool pprof reads it). Its unit is the guest
// instruction, so the profile does not depend on the host:
//
//   - period > 1 samples every period-th instruction of each process,
//     with its whole stack (unwound with the program's own tables), each
//     sample standing for period instructions;
//   - period 1 counts every instruction exactly, attributed to its own
//     function and line (flat: no callers).
//
// Samples carry the labels pid (a number) and program (the process name),
// so go tool pprof -tagfocus program=rc (or -tagfocus pid=3) looks at one
// process; functions are named with the program's own symbols, and lines
// come from its pc/line table or, for Go programs, its pclntab.
type profiler struct {
	file   string
	period int64

	mu    sync.Mutex
	parts []*procProfile // one per process and program it ran
}

// procProfile is what one process gathered while running one program.
type procProfile struct {
	pid    int
	name   string
	file   *aout.File
	img    *disasm.Image
	blocks map[blockKey]*blockCount // exact counts
	stacks map[string]*stackCount   // samples, by stack
	done   bool                     // the process has moved on (exec, exit): the maps are complete
}

type blockKey struct {
	pc uint64
	n  int
}

type blockCount struct {
	pcs []uint64
	n   int64
}

type stackCount struct {
	pcs []uint64 // innermost first; the first is the instruction, the others return addresses
	n   int64
}

func newProfiler(file string, period int64) *profiler {
	return &profiler{file: file, period: period}
}

// startImage begins the profile of the program the process runs now.
func (pr *profiler) startImage(ps *pstate) {
	pr.exit(ps)
	pp := &procProfile{pid: ps.pid, name: ps.name, file: ps.file, img: ps.img}
	ps.prof = pp
	if pr.period == 1 {
		pp.blocks = make(map[blockKey]*blockCount)
		ps.probe.Ran = pp.addBlock
	} else {
		pp.stacks = make(map[string]*stackCount)
		ps.untilSamp = pr.period
	}
	pr.mu.Lock()
	pr.parts = append(pr.parts, pp)
	pr.mu.Unlock()
}

// addBlock counts one execution of the instructions at pcs.
func (pp *procProfile) addBlock(pcs []uint64) {
	k := blockKey{pcs[0], len(pcs)}
	if b := pp.blocks[k]; b != nil {
		b.n++
		return
	}
	pp.blocks[k] = &blockCount{pcs: append([]uint64(nil), pcs...), n: 1}
}

// ranPCs counts instructions run one at a time.
func (pr *profiler) ranPCs(ps *pstate, pcs []uint64) {
	if ps.prof != nil && ps.prof.blocks != nil {
		ps.prof.addBlock(pcs)
	}
}

// ran accounts for n instructions the process ran, taking a sample when
// its period is up.
func (pr *profiler) ran(ps *pstate, n int64) {
	ps.untilSamp -= n
	if ps.untilSamp > 0 {
		return
	}
	ps.untilSamp += pr.period
	if ps.untilSamp <= 0 {
		ps.untilSamp = pr.period
	}
	pp := ps.prof
	if pp == nil {
		return
	}
	c := ps.cpu
	var pcs []uint64
	if ps.img != nil {
		for _, f := range ps.img.Backtrace(c.PC, c.R[4], readWord(c), maxFrames) {
			pcs = append(pcs, f.PC)
		}
	} else {
		pcs = []uint64{c.PC}
	}
	key := fmt.Sprint(pcs)
	if s := pp.stacks[key]; s != nil {
		s.n++
		return
	}
	pp.stacks[key] = &stackCount{pcs: pcs, n: 1}
}

// exit is called when the process ends or execs: its part is complete.
func (pr *profiler) exit(ps *pstate) {
	if ps.prof != nil {
		pr.mu.Lock()
		ps.prof.done = true
		pr.mu.Unlock()
	}
}

// build makes the profile from every part.
func (pr *profiler) build() *profile.Profile {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "samples", Unit: "count"},
			{Type: "instructions", Unit: "count"},
		},
		DefaultSampleType: "instructions",
		PeriodType:        &profile.ValueType{Type: "instructions", Unit: "count"},
		Period:            pr.period,
	}
	if pr.period == 1 {
		p.Comments = []string{"9emu: exact guest instruction counts"}
	} else {
		p.Comments = []string{fmt.Sprintf("9emu: guest stacks sampled every %d instructions", pr.period)}
	}
	mappings := make(map[*aout.File]*profile.Mapping)
	funcs := make(map[[2]string]*profile.Function)
	type locKey struct {
		file *aout.File
		pc   uint64
		line uint64 // the pc its line is looked up by
	}
	locs := make(map[locKey]*profile.Location)
	location := func(pp *procProfile, pc, linePC uint64) *profile.Location {
		k := locKey{pp.file, pc, linePC}
		if l := locs[k]; l != nil {
			return l
		}
		mp := mappings[pp.file]
		if mp == nil && pp.file != nil {
			l := pp.file.Layout
			mp = &profile.Mapping{ID: uint64(len(p.Mapping) + 1), Start: l.TextStart, Limit: l.TextEnd,
				File: pp.name, HasFunctions: true, HasFilenames: true, HasLineNumbers: true}
			mappings[pp.file] = mp
			p.Mapping = append(p.Mapping, mp)
		}
		loc := &profile.Location{ID: uint64(len(p.Location) + 1), Mapping: mp, Address: pc}
		if pp.img != nil {
			if name, off, ok := pp.img.Func(linePC); ok {
				file, line, _ := pp.img.Line(linePC)
				fk := [2]string{name, file}
				fn := funcs[fk]
				if fn == nil {
					fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: file}
					if _, sl, ok := pp.img.Line(linePC - off); ok {
						fn.StartLine = int64(sl)
					}
					funcs[fk] = fn
					p.Function = append(p.Function, fn)
				}
				loc.Line = []profile.Line{{Function: fn, Line: int64(line)}}
			}
		}
		locs[k] = loc
		p.Location = append(p.Location, loc)
		return loc
	}
	labels := func(s *profile.Sample, pp *procProfile) {
		s.Label = map[string][]string{"program": {pp.name}}
		s.NumLabel = map[string][]int64{"pid": {int64(pp.pid)}}
	}
	for _, pp := range pr.parts {
		if !pp.done {
			continue // a process that never ended: its maps are still in use
		}
		// Deterministic order: by address.
		var keys []blockKey
		for k := range pp.blocks {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			return a.pc < b.pc || a.pc == b.pc && a.n < b.n
		})
		perPC := make(map[uint64]int64)
		var order []uint64
		for _, k := range keys {
			b := pp.blocks[k]
			for _, pc := range b.pcs {
				if _, ok := perPC[pc]; !ok {
					order = append(order, pc)
				}
				perPC[pc] += b.n
			}
		}
		sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
		for _, pc := range order {
			s := &profile.Sample{Location: []*profile.Location{location(pp, pc, pc)}, Value: []int64{perPC[pc], perPC[pc]}}
			labels(s, pp)
			p.Sample = append(p.Sample, s)
		}
		var skeys []string
		for k := range pp.stacks {
			skeys = append(skeys, k)
		}
		sort.Strings(skeys)
		for _, k := range skeys {
			st := pp.stacks[k]
			s := &profile.Sample{Value: []int64{st.n, st.n * pr.period}}
			for i, pc := range st.pcs {
				linePC := pc
				if i > 0 {
					linePC = pc - 1
				}
				s.Location = append(s.Location, location(pp, pc, linePC))
			}
			labels(s, pp)
			p.Sample = append(p.Sample, s)
		}
	}
	return p
}

// write writes the profile to its file.
func (pr *profiler) write() error {
	p := pr.build()
	if err := p.CheckValid(); err != nil {
		return fmt.Errorf("pprof: %v", err)
	}
	f, err := os.Create(pr.file)
	if err != nil {
		return err
	}
	if err := p.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
