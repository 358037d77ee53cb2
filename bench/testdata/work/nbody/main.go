// Nbody integrates a small gravitating cluster of bodies with a
// symplectic Euler step: float64 multiplies, adds, divides and square
// roots in a doubly nested loop.
//
// The result is printed as the exact bits of the final state, so every
// platform must compute every operation in the same order and with the
// same rounding: each product is converted explicitly to float64 so that
// no compiler fuses it into a multiply-add.
//
// Usage: nbody [-scale f]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
	"math"
)

const (
	bodies = 24
	steps  = 400000 // steps at scale 1
	dt     = 1e-3
	soft   = 1e-2 // softening: keeps close encounters finite
)

type body struct {
	x, y, z    float64
	vx, vy, vz float64
	m          float64
}

// cluster returns n bodies with pseudo-random positions, velocities and
// masses, with the total momentum removed.
func cluster(n int) []body {
	s := uint64(0x853c49e6748fea9b)
	rnd := func() float64 { // uniform in [-1, 1)
		s = s*6364136223846793005 + 1442695040888963407
		return float64(int64(s>>11)-1<<52) / (1 << 52)
	}
	b := make([]body, n)
	var px, py, pz, mt float64
	for i := range b {
		b[i] = body{x: rnd(), y: rnd(), z: rnd(), vx: rnd() / 4, vy: rnd() / 4, vz: rnd() / 4, m: 0.5 + (rnd()+1)/4}
		px += float64(b[i].vx * b[i].m)
		py += float64(b[i].vy * b[i].m)
		pz += float64(b[i].vz * b[i].m)
		mt += b[i].m
	}
	for i := range b {
		b[i].vx -= px / mt
		b[i].vy -= py / mt
		b[i].vz -= pz / mt
	}
	return b
}

func advance(b []body) {
	for i := range b {
		bi := &b[i]
		for j := i + 1; j < len(b); j++ {
			bj := &b[j]
			dx, dy, dz := bi.x-bj.x, bi.y-bj.y, bi.z-bj.z
			d2 := float64(dx*dx) + float64(dy*dy) + float64(dz*dz) + soft
			d := math.Sqrt(d2)
			mag := dt / float64(d2*d)
			mi, mj := float64(bi.m*mag), float64(bj.m*mag)
			bi.vx -= float64(dx * mj)
			bi.vy -= float64(dy * mj)
			bi.vz -= float64(dz * mj)
			bj.vx += float64(dx * mi)
			bj.vy += float64(dy * mi)
			bj.vz += float64(dz * mi)
		}
	}
	for i := range b {
		bi := &b[i]
		bi.x += float64(dt * bi.vx)
		bi.y += float64(dt * bi.vy)
		bi.z += float64(dt * bi.vz)
	}
}

func energy(b []body) float64 {
	e := 0.0
	for i := range b {
		bi := &b[i]
		v2 := float64(bi.vx*bi.vx) + float64(bi.vy*bi.vy) + float64(bi.vz*bi.vz)
		e += float64(0.5 * float64(bi.m*v2))
		for j := i + 1; j < len(b); j++ {
			bj := &b[j]
			dx, dy, dz := bi.x-bj.x, bi.y-bj.y, bi.z-bj.z
			d := math.Sqrt(float64(dx*dx) + float64(dy*dy) + float64(dz*dz) + soft)
			e -= float64(bi.m*bj.m) / d
		}
	}
	return e
}

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1, int(float64(steps)**scale+0.5))

	b := cluster(bodies)
	e0 := energy(b)
	for i := 0; i < n; i++ {
		advance(b)
	}
	e1 := energy(b)
	var sum uint64
	for i := range b {
		for _, v := range []float64{b[i].x, b[i].y, b[i].z, b[i].vx, b[i].vy, b[i].vz} {
			sum = (sum<<7 | sum>>57) ^ math.Float64bits(v)
		}
	}
	fmt.Printf("nbody: steps=%d energy=%.12e -> %.12e checksum=%016x\n", n, e0, e1, sum)
}
