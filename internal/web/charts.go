package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are SVG written here, on the server, into the page. Why not a
// chart library: go-chart's SVG carries style="…" attributes, which the
// console's Content-Security-Policy (no inline styles) blocks, and its PNG
// draws text with a built-in Latin font, so Chinese labels would be boxes.
// Hand-written SVG uses presentation attributes and classes (colours live
// in reports.css), the browser's own fonts (Chinese included), scales to
// any width, and needs no script and nothing from another server. Each
// bucket is a hover target with a tooltip (<title>) and, where a bucket
// can be opened (a day of a month, say), a link.

// chartSeries is one line (or the bars) of a time chart.
type chartSeries struct {
	Name   string
	Class  string    // s-accepted, s-delivered, s-failed, s-fees (reports.css)
	Values []float64 // per bucket up to now; the buckets after it are not drawn
	Area   bool      // fill under the line
}

// timeChart is a chart over the period's buckets.
type timeChart struct {
	Title  string
	N      int      // buckets on the axis (the whole period)
	Ticks  []string // per bucket: its axis label
	Tips   []string // per bucket: its full name, for the tooltip
	Links  []string // per bucket: where a click goes ("" = nowhere)
	Series []chartSeries
	Bars   bool // bars of the first series instead of lines
	Money  bool // values are yuan
	Small  bool // the compact drawing: a phone, or half a page
}

// Geometry of a time chart, in SVG user units (the chart scales to its
// box): wide for a page's width, small (taller than wide, fewer labels) for
// a phone or half a page, so the text stays readable at either size.
const (
	padRight, padTop, padBottom = 14.0, 14.0, 30.0
)

// svg draws the chart.
func (c timeChart) svg() template.HTML {
	chartW, chartH, padLeft, maxTicks := 760.0, 240.0, 70.0, 12
	if c.Small {
		chartW, chartH, padLeft, maxTicks = 420.0, 280.0, 60.0, 6
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	pw, ph := chartW-padLeft-padRight, chartH-padTop-padBottom
	n := max(c.N, 1)
	step := pw / float64(n)
	x := func(i int) float64 { return padLeft + step*(float64(i)+0.5) }

	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	ticks := niceTicks(top, !c.Money)
	ymax := ticks[len(ticks)-1]
	y := func(v float64) float64 { return padTop + ph - v/ymax*ph }

	size := "wide"
	if c.Small {
		size = "small"
	}
	fmt.Fprintf(&b, `<svg class="chart %s" viewBox="0 0 %g %g" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`,
		size, chartW, chartH, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	// grid and the value axis
	b.WriteString(`<g class="grid">`)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, padLeft, chartW-padRight, y(t), y(t))
	}
	b.WriteString(`</g><g class="axis y">`)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`,
			padLeft-8, y(t), esc(tickLabel(t, c.Money)))
	}
	b.WriteString(`</g><g class="axis x">`)
	every := (n + maxTicks - 1) / maxTicks
	for i := 0; i < len(c.Ticks); i++ {
		if i%every != 0 {
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(i), chartH-padBottom+18, esc(c.Ticks[i]))
	}
	fmt.Fprintf(&b, `<line class="base" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/></g>`, padLeft, chartW-padRight, y(0), y(0))

	// the data
	if c.Bars && len(c.Series) > 0 {
		s := c.Series[0]
		fmt.Fprintf(&b, `<g class="bars %s">`, s.Class)
		w := math.Max(step*0.62, 1)
		for i, v := range s.Values {
			if v <= 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"/>`, x(i)-w/2, y(v), w, y(0)-y(v))
		}
		b.WriteString(`</g>`)
	} else {
		for _, s := range c.Series {
			if len(s.Values) == 0 {
				continue
			}
			var line strings.Builder
			for i, v := range s.Values {
				cmd := "L"
				if i == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&line, "%s%.1f,%.1f", cmd, x(i), y(v))
			}
			fmt.Fprintf(&b, `<g class="series %s">`, s.Class)
			if s.Area {
				fmt.Fprintf(&b, `<path class="area" d="%sL%.1f,%.1fL%.1f,%.1fZ"/>`, line.String(),
					x(len(s.Values)-1), y(0), x(0), y(0))
			}
			fmt.Fprintf(&b, `<path class="line" d="%s"/>`, line.String())
			if float64(n) <= pw/16 { // dots while they stay apart
				for i, v := range s.Values {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3"/>`, x(i), y(v))
				}
			}
			b.WriteString(`</g>`)
		}
	}

	// a hover target per bucket drawn so far: its figures, and its link
	b.WriteString(`<g class="hits">`)
	drawn := 0
	for _, s := range c.Series {
		drawn = max(drawn, len(s.Values))
	}
	for i := 0; i < drawn && i < len(c.Tips); i++ {
		var tip strings.Builder
		tip.WriteString(c.Tips[i])
		for _, s := range c.Series {
			if i < len(s.Values) {
				tip.WriteString("\n" + s.Name + ": " + exactLabel(s.Values[i], c.Money))
			}
		}
		rect := fmt.Sprintf(`<rect class="hit" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`,
			padLeft+step*float64(i), padTop, step, ph, esc(tip.String()))
		if i < len(c.Links) && c.Links[i] != "" {
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, esc(c.Links[i]), rect)
		} else {
			b.WriteString(rect)
		}
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String()) // every text above went through esc
}

// niceTicks are 5 or so round values from 0 to at least top; whole
// numbers for counts.
func niceTicks(top float64, whole bool) []float64 {
	if top <= 0 || math.IsNaN(top) || math.IsInf(top, 0) {
		top = 1
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var step float64
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		step = f * mag
		if step >= raw {
			break
		}
	}
	if whole {
		step = math.Max(math.Ceil(step), 1)
	}
	var out []float64
	for v := 0.0; ; v += step {
		out = append(out, v)
		if v >= top-step*1e-9 || len(out) > 20 {
			break
		}
	}
	if len(out) < 2 {
		out = append(out, step)
	}
	return out
}

// tickLabel shows an axis value: counts with separators, large ones in k
// and M (they read the same in both languages), yuan with up to three
// decimals.
func tickLabel(v float64, money bool) string {
	if money {
		s := strconv.FormatFloat(v, 'f', 3, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		return s
	}
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e5:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return thousands(int64(math.Round(v)))
}

// exactLabel shows a value in a tooltip: counts in full, yuan to the li.
func exactLabel(v float64, money bool) string {
	if money {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return thousands(int64(math.Round(v)))
}
