package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// svg is a minimal SVG writer: just the elements a bar chart needs.
type svg struct {
	b strings.Builder
}

func (s *svg) open(w, h float64) {
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&s.b, `<rect x="0" y="0" width="%g" height="%g" fill="white"/>`+"\n", w, h)
}

func (s *svg) close() { s.b.WriteString("</svg>\n") }

// rect draws a filled rectangle with a tooltip.
func (s *svg) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">`, x, y, w, h, fill)
	if title != "" {
		fmt.Fprintf(&s.b, "<title>%s</title>", esc(title))
	}
	s.b.WriteString("</rect>\n")
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="3,3"`
	}
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"%s/>`+"\n", x1, y1, x2, y2, stroke, dash)
}

// text draws str with its baseline at y; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, style, str string) {
	if style != "" {
		style = " " + style
	}
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s"%s>%s</text>`+"\n", x, y, anchor, style, esc(str))
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// palette colours the systems, in order (native is not drawn).
var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"}

// A bar is one value in the chart; val 0 means no value, with why in
// missing.
type bar struct {
	val     float64
	missing string
	title   string
}

// writeSVG draws the slowdown of every emulated system per workload, and
// the geometric means, as horizontal bars on a logarithmic axis.
func (rp *report) writeSVG(w io.Writer) error {
	emulated := rp.systems[1:]
	var groups []string
	var bars [][]bar
	for _, wk := range rp.works {
		var g []bar
		for _, s := range emulated {
			for _, rw := range rp.rows {
				if rw.work == wk && rw.sys == s {
					g = append(g, rowBar(rw))
				}
			}
		}
		groups = append(groups, wk.name)
		bars = append(bars, g)
	}
	if len(rp.geos) > 0 {
		var g []bar
		for _, gm := range rp.geos {
			b := bar{val: gm.mean, title: fmt.Sprintf("%s: geometric mean over %d of %d CPU workloads", gm.sys, gm.n, gm.of)}
			if gm.mean == 0 {
				b.missing = "n/a"
			}
			g = append(g, b)
		}
		groups = append(groups, "geomean (CPU)")
		bars = append(bars, g)
	}
	names := make([]string, len(emulated))
	for i, s := range emulated {
		names[i] = s.name
	}
	title := fmt.Sprintf("Slowdown against native (median %s, log scale; shorter is better)", rp.metric())
	_, err := io.WriteString(w, barChart(title, names, groups, bars))
	return err
}

func rowBar(rw *row) bar {
	b := bar{val: rw.slow, title: fmt.Sprintf("%s on %s", rw.work.name, rw.sys.name)}
	switch {
	case rw.res.check == "mismatch":
		b.val, b.missing = 0, "checksum mismatch"
	case rw.slow == 0 && rw.res.fail != "":
		b.missing = "failed"
	case rw.slow == 0:
		b.missing = "no data"
	}
	if rw.slow > 0 {
		b.title += fmt.Sprintf(": %s (median %s)", fmtSlowdown(rw.slow), fmtDuration(rw.med))
	} else {
		b.title += ": " + b.missing
	}
	return b
}

// barChart lays out a grouped horizontal bar chart: one group per
// label in groups, one bar per series in each group.
func barChart(title string, series, groups []string, bars [][]bar) string {
	const (
		left, plotW, right = 120.0, 560.0, 70.0
		top                = 64.0
		barH, barGap       = 12.0, 3.0
		groupGap           = 12.0
		bottom             = 36.0
	)
	lo, hi := axisRange(bars)
	x := func(v float64) float64 {
		return left + (math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*plotW
	}
	n := max(len(series), 1)
	groupH := float64(n)*(barH+barGap) - barGap + groupGap
	height := top + float64(len(groups))*groupH + bottom
	width := left + plotW + right

	var s svg
	s.open(width, height)
	s.text(width/2, 20, "middle", `font-size="14" font-weight="bold"`, title)
	lx := left
	for i, name := range series {
		s.rect(lx, 32, 10, 10, palette[i%len(palette)], "")
		s.text(lx+14, 41, "start", "", name)
		lx += 14 + 8*float64(len(name)) + 20
	}
	if len(series) == 0 || len(groups) == 0 {
		s.text(width/2, top+20, "middle", `fill="#666"`, "no emulated runs")
		s.close()
		return s.b.String()
	}

	plotBottom := top + float64(len(groups))*groupH - groupGap/2
	for d := lo; d <= hi*1.0001; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			v := d * m
			if v > hi*1.0001 {
				break
			}
			if m == 1 {
				s.line(x(v), top-6, x(v), plotBottom, "#bbb", false)
				s.text(x(v), plotBottom+16, "middle", `fill="#333"`, fmtAxis(v))
			} else {
				s.line(x(v), top-6, x(v), plotBottom, "#ddd", true)
			}
		}
	}
	y := top
	for gi, g := range groups {
		s.text(left-8, y+float64(n)*(barH+barGap)/2+2, "end", "", g)
		for i, b := range bars[gi] {
			by := y + float64(i)*(barH+barGap)
			if b.val <= 0 {
				s.text(left+4, by+barH-2, "start", `fill="#888" font-style="italic"`, b.missing)
				continue
			}
			bw := max(x(b.val)-left, 1)
			s.rect(left, by, bw, barH, palette[i%len(palette)], b.title)
			s.text(left+bw+4, by+barH-2, "start", `font-size="11"`, fmtSlowdown(b.val))
		}
		y += groupH
	}
	s.line(left, top-6, left, plotBottom, "#333", false)
	s.text(left+plotW/2, height-6, "middle", `fill="#333"`, "slowdown (× native)")
	s.close()
	return s.b.String()
}

// axisRange returns powers of ten around every value: from 1 (lower if a
// value is below 1) to at least 10.
func axisRange(bars [][]bar) (lo, hi float64) {
	lo, hi = 1, 10
	for _, g := range bars {
		for _, b := range g {
			if b.val <= 0 {
				continue
			}
			for b.val < lo {
				lo /= 10
			}
			for b.val > hi {
				hi *= 10
			}
		}
	}
	return lo, hi
}

func fmtAxis(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("%.0f×", v)
	}
	return fmt.Sprintf("%g×", v)
}
