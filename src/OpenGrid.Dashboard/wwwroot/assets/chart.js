// Small hand-drawn SVG charts: grouped bars per category, and values over time as dots joined by lines. Each has
// axes with tick labels, axis titles and a legend; the <svg> is one image to assistive technology (role="img" with a
// summary), and the caller puts the data next to it as a table — the table is the exact, accessible form of the
// data, the chart its picture. Values are plain numbers used only to place marks; every label comes from the caller's
// formatter, so money is shown as the API wrote it. Colours come from app.css (--series-N, light and dark).
import { h, svg } from './dom.js';

const Height = 260;
const MinWidth = 300;
const MaxWidth = 960;
const Pad = { top: 16, right: 16, bottom: 56, left: 72 };
const TimeLabelWidth = 110; // pixels a time label needs, with room around it
const SeriesColours = 4; // .chart__series--0 … --3 in app.css; more series reuse them in turn

/** A chart width that fits its container's content box (measured now), so text keeps its size at phone width. */
export function widthFor(container) {
  const style = getComputedStyle(container);
  const available = Math.floor(container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
  return Math.max(MinWidth, Math.min(MaxWidth, available > 0 ? available : 640));
}

/**
 * "Nice" tick values from 0 (or min) up to at least max: steps of 1, 2 or 5 × 10^k, about `count` of them.
 * With integer set, steps are whole numbers.
 */
export function niceTicks(min, max, count, integer = false) {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const unit = ([1, 2, 5].find((n) => raw <= n * magnitude) ?? 10) * magnitude;
  const step = integer ? Math.max(1, Math.round(unit)) : unit;
  const first = Math.floor(min / step) * step;
  const ticks = [];
  for (let v = first; ticks.length === 0 || ticks.at(-1) < max; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Shortens a label to about the pixels it may take (the full text is in the tooltip and the table). */
function fit(text, pixels) {
  const chars = Math.max(4, Math.floor(pixels / 7));
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

function seriesClass(i) {
  return `chart__series--${i % SeriesColours}`;
}

function legend(series) {
  return h('ul', { class: 'chart__legend', 'aria-hidden': 'true' },
    series.map((s, i) => h('li', {}, h('span', { class: `chart__swatch ${seriesClass(i)}` }), s.name)));
}

function frame(width, label, children) {
  return svg('svg', {
    class: 'chart__svg', viewBox: `0 0 ${width} ${Height}`, width, height: Height, role: 'img', 'aria-label': label,
    preserveAspectRatio: 'xMinYMin meet',
  }, svg('title', {}, label), children);
}

/** Horizontal grid lines with value labels, and the rotated y-axis title. */
function yAxis(ticks, y, width, format, title) {
  const plotHeight = Height - Pad.top - Pad.bottom;
  return [
    ticks.map((t) => svg('g', { class: 'chart__tick' },
      svg('line', { class: 'chart__grid', x1: Pad.left, x2: width - Pad.right, y1: y(t), y2: y(t) }),
      svg('text', { class: 'chart__label', x: Pad.left - 8, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, format(t)))),
    svg('text', {
      class: 'chart__title', 'text-anchor': 'middle',
      transform: `translate(16 ${Pad.top + plotHeight / 2}) rotate(-90)`,
    }, title),
  ];
}

function xTitle(width, title) {
  return svg('text', { class: 'chart__title', x: Pad.left + (width - Pad.left - Pad.right) / 2, y: Height - 6, 'text-anchor': 'middle' }, title);
}

/**
 * Grouped vertical bars: one group per category, one bar per series, the value written above each bar.
 * @param {{label: string, categories: {name: string, note?: string}[], series: {name: string, values: number[]}[],
 *          xTitle: string, yTitle: string, width: number}} options - label summarises the chart for screen readers;
 *   values[i] belongs to categories[i]; note is a second line under the category's name.
 */
export function barChart({ label, categories, series, xTitle: xText, yTitle, width }) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const ticks = niceTicks(0, max, 4, true);
  const top = ticks.at(-1);
  const plotWidth = width - Pad.left - Pad.right;
  const plotHeight = Height - Pad.top - Pad.bottom;
  const y = (v) => Pad.top + plotHeight * (1 - v / top);
  const band = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.min(48, (band * 0.7) / series.length);

  const groups = categories.map((category, c) => {
    const left = Pad.left + band * c + (band - barWidth * series.length) / 2;
    const centre = Pad.left + band * c + band / 2;
    return svg('g', { class: 'chart__group' },
      series.map((s, i) => {
        const value = s.values[c];
        const x = left + barWidth * i;
        return svg('g', {},
          svg('rect', {
            class: `chart__bar ${seriesClass(i)}`, x, y: y(value), width: Math.max(1, barWidth - 2), height: Math.max(0, y(0) - y(value)),
            'data-testid': 'chart-bar', 'data-category': category.name, 'data-series': s.name, 'data-value': value,
          }, svg('title', {}, `${category.name}, ${s.name}: ${value}`)),
          svg('text', { class: 'chart__value', x: x + (barWidth - 2) / 2, y: y(value) - 4, 'text-anchor': 'middle' }, value));
      }),
      svg('text', { class: 'chart__label chart__label--strong', x: centre, y: Height - Pad.bottom + 18, 'text-anchor': 'middle' }, fit(category.name, band)),
      category.note ? svg('text', { class: 'chart__label', x: centre, y: Height - Pad.bottom + 34, 'text-anchor': 'middle' }, fit(category.note, band)) : null);
  });

  return h('figure', { class: 'chart', 'data-testid': 'bar-chart' },
    frame(width, label, [
      yAxis(ticks, y, width, String, yTitle),
      svg('line', { class: 'chart__axis', x1: Pad.left, x2: width - Pad.right, y1: y(0), y2: y(0) }),
      groups,
      xTitle(width, xText),
    ]),
    legend(series));
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndClock = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/**
 * Values over time: a dot per point, dots of a series joined in time order.
 * @param {{label: string, series: {name: string, points: {at: Date, value: number, text: string}[]}[],
 *          yTitle: string, yFormat: (v: number) => string, yTicks?: number[], integer?: boolean, width: number}} options
 *   - text describes a point (its tooltip); yTicks fixes the axis (e.g. 0…1), otherwise it runs from 0 to the
 *   largest value; integer keeps computed ticks whole (base units).
 */
export function timeChart({ label, series, yTitle, yFormat, yTicks, integer = false, width }) {
  const all = series.flatMap((s) => s.points);
  const ticks = yTicks ?? niceTicks(0, Math.max(...all.map((p) => p.value), 0) || 1, 4, integer);
  const [bottom, top] = [ticks[0], ticks.at(-1)];
  const plotWidth = width - Pad.left - Pad.right;
  const plotHeight = Height - Pad.top - Pad.bottom;
  const inset = 10; // keeps dots at either end inside the plot
  const times = all.map((p) => p.at.getTime());
  let [start, end] = [Math.min(...times), Math.max(...times)];
  if (start === end) [start, end] = [start - 60_000, end + 60_000];
  const x = (at) => Pad.left + inset + (plotWidth - 2 * inset) * ((at.getTime() - start) / (end - start));
  const y = (v) => Pad.top + plotHeight * (1 - (v - bottom) / (top - bottom));
  const timeFormat = end - start > 86_400_000 ? dayAndClock : clock;
  const tickCount = Math.max(2, Math.min(4, Math.floor(plotWidth / TimeLabelWidth)));
  const timeTicks = Array.from({ length: tickCount }, (_, i) => new Date(start + ((end - start) * i) / (tickCount - 1)));

  return h('figure', { class: 'chart', 'data-testid': 'time-chart' },
    frame(width, label, [
      yAxis(ticks, y, width, yFormat, yTitle),
      svg('line', { class: 'chart__axis', x1: Pad.left, x2: width - Pad.right, y1: y(bottom), y2: y(bottom) }),
      timeTicks.map((t, i) => svg('text', {
        class: 'chart__label', x: x(t), y: Height - Pad.bottom + 18, 'text-anchor': i === 0 ? 'start' : i === tickCount - 1 ? 'end' : 'middle',
      }, timeFormat.format(t))),
      series.map((s, i) => {
        const points = [...s.points].sort((a, b) => a.at - b.at);
        return svg('g', { class: `chart__line ${seriesClass(i)}` },
          points.length > 1 ? svg('polyline', { points: points.map((p) => `${x(p.at)},${y(p.value)}`).join(' ') }) : null,
          points.map((p) => svg('circle', { cx: x(p.at), cy: y(p.value), r: 4.5, 'data-testid': 'chart-point' }, svg('title', {}, p.text))));
      }),
      xTitle(width, 'Time'),
    ]),
    series.length > 1 ? legend(series) : null);
}
