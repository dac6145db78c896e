// Today's calls by hour as an SVG bar chart: one stacked bar per hour (answered, voicemail, missed, abandoned, in
// progress), gridlines at round counts, hour labels that thin out on narrow screens. renderChart() is a pure function
// of the summary's by_hour and the width it is drawn at (no DOM reads), so it can be tried with any counts.
//
// Labels are measured before they are placed: the left margin is as wide as the widest count label, and an hour
// label at either end is kept inside the drawing, so nothing is clipped by the SVG's edge.
import { svg } from './dom.js';
import { hourFormat, localMidnight, parseTime, plural, sameDay, timeFormat } from './format.js';

export const SEGMENTS = [ // bottom to top in a bar
  { key: 'answered', label: 'answered' },
  { key: 'voicemail', label: 'voicemail' },
  { key: 'missed', label: 'missed' },
  { key: 'abandoned', label: 'abandoned' },
  { key: 'in_progress', label: 'in progress', cls: 'in-progress' },
];

const LABEL_PX = 11; // .axis-label's font size (style.css)
const LABEL_GAP = 6; // between a count label and the plot

let measureContext = null;

// The width of a label at the axis font; a generous estimate when canvas is unavailable. The current hour's label is
// bold (style.css: .is-current .x-label), and so wider: it is measured bold.
function textWidth(text, font, { bold = false } = {}) {
  if (measureContext === null) measureContext = document.createElement('canvas').getContext('2d') || false;
  if (!measureContext) return text.length * LABEL_PX * (bold ? 0.72 : 0.65);
  measureContext.font = `${bold ? '700 ' : ''}${LABEL_PX}px ${font}`;
  return measureContext.measureText(text).width;
}

// Hour slots from the start of the office day (or the first call) to the current hour (or the last call).
export function chartSlots(byHour, now = new Date()) {
  const midnight = localMidnight(now);
  const slots = new Map();
  const bucketOf = (entry) => {
    const start = parseTime(entry.hour_start);
    if (!start) return null;
    const values = {};
    let total = 0;
    for (const segment of SEGMENTS) {
      const n = Math.max(0, Number(entry[segment.key]) || 0);
      values[segment.key] = n;
      total += n;
    }
    return { start, values, total };
  };
  const buckets = byHour.map(bucketOf).filter((bucket) => bucket && bucket.start >= midnight);
  let first = 8;
  let last = Math.max(17, now.getHours());
  for (const bucket of buckets) {
    if (bucket.total === 0) continue;
    first = Math.min(first, bucket.start.getHours());
    last = Math.max(last, bucket.start.getHours());
  }
  last = Math.min(last, 23);
  for (let hour = first; hour <= last; hour += 1) {
    const start = new Date(midnight.getFullYear(), midnight.getMonth(), midnight.getDate(), hour);
    slots.set(start.getTime(), { start, values: {}, total: 0 });
  }
  // Buckets that do not start on a local hour (half-hour time zones) get their own slot.
  for (const bucket of buckets) {
    const slot = slots.get(bucket.start.getTime());
    if (slot) {
      slot.values = bucket.values;
      slot.total = bucket.total;
    } else if (bucket.total > 0) {
      slots.set(bucket.start.getTime(), bucket);
    }
  }
  return [...slots.values()].sort((a, b) => a.start - b.start);
}

// Gridlines every 1, 2 or 5 × 10^k calls, about four of them.
function ticksFor(max) {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, max / 4)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => max / candidate <= 4) || magnitude * 10;
  const top = Math.max(1, Math.ceil(max / step)) * step;
  const ticks = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return { ticks, top };
}

// options: { width (px, as shown), now (Date), font (CSS font-family of the labels) }
export function renderChart(byHour, { width: shownWidth = 720, now = new Date(), font = 'sans-serif' } = {}) {
  const slots = chartSlots(byHour, now);
  const max = Math.max(1, ...slots.map((slot) => slot.total));
  const { ticks, top } = ticksFor(max);
  const tickLabels = ticks.map((tick) => String(Math.round(tick)));

  // Drawn at the size it is shown, so the labels keep their size on a phone.
  const width = Math.max(300, Math.round(shownWidth || 720));
  const height = width < 500 ? 150 : 170;
  const widest = Math.max(...tickLabels.map((text) => textWidth(text, font)));
  const margin = { top: 20, right: 8, bottom: 26, left: Math.ceil(widest + LABEL_GAP + 4) };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const step = plotW / slots.length;
  const barW = Math.max(4, Math.min(34, step * 0.62));
  const y = (value) => margin.top + plotH - (value / top) * plotH;
  const labelEvery = step < 14 ? 4 : step < 24 ? 3 : step < 40 ? 2 : 1;
  const isCurrent = (slot) => sameDay(slot.start, now) && slot.start.getHours() === now.getHours();
  // Labels every labelEvery hours, counted back from the current hour (or the last slot) so that one is labelled.
  let anchor = slots.findIndex(isCurrent);
  if (anchor < 0) anchor = slots.length - 1;
  const total = slots.reduce((sum, slot) => sum + slot.total, 0);

  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', preserveAspectRatio: 'xMidYMid meet',
    'aria-label': `Today's calls by hour: ${plural(total, 'call')}`,
  });
  const grid = svg('g', { class: 'grid' });
  ticks.forEach((tick, index) => {
    grid.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick),
      class: tick === 0 ? 'baseline' : 'gridline' }));
    grid.append(svg('text', { x: margin.left - LABEL_GAP, y: y(tick) + 4, class: 'axis-label y-label',
      'text-anchor': 'end', text: tickLabels[index] }));
  });
  chart.append(grid);

  const bars = svg('g', { class: 'bars' });
  slots.forEach((slot, index) => {
    const cx = margin.left + step * index + step / 2;
    const group = svg('g', { class: ['bar', isCurrent(slot) && 'is-current'], 'data-hour': slot.start.toISOString() });
    const label = slot.start.getMinutes() === 0 ? hourFormat.format(slot.start) : timeFormat.format(slot.start);
    const parts = SEGMENTS.filter((segment) => slot.values[segment.key] > 0)
      .map((segment) => `${slot.values[segment.key]} ${segment.label}`);
    group.append(svg('title', { text: `${label}: ${plural(slot.total, 'call')}` +
      (parts.length ? ` (${parts.join(', ')})` : '') }));
    // A transparent hit area makes the tooltip easy to reach even for short bars.
    group.append(svg('rect', { x: cx - step / 2, y: margin.top, width: step, height: plotH, class: 'hit' }));
    let base = 0;
    for (const segment of SEGMENTS) {
      const n = slot.values[segment.key] || 0;
      if (n <= 0) continue;
      const y0 = y(base);
      const y1 = y(base + n);
      group.append(svg('rect', {
        x: cx - barW / 2, y: y1, width: barW, height: Math.max(1, y0 - y1 - (base + n < slot.total ? 1 : 0)),
        class: `bar-seg seg-${segment.cls || segment.key}`, 'data-count': n,
      }));
      base += n;
    }
    if (slot.total > 0) {
      group.append(svg('text', { x: cx, y: y(slot.total) - 4, class: 'bar-total', 'text-anchor': 'middle',
        text: String(slot.total) }));
    }
    if ((anchor - index) % labelEvery === 0) group.append(hourLabel(label, cx, width, height, font, isCurrent(slot)));
    bars.append(group);
  });
  chart.append(bars);
  return chart;
}

// An hour label centred under its bar, or flush with the edge it would otherwise cross.
function hourLabel(text, cx, width, height, font, bold) {
  const half = textWidth(text, font, { bold }) / 2;
  let x = cx;
  let anchor = 'middle';
  if (cx - half < 1) {
    x = 1;
    anchor = 'start';
  } else if (cx + half > width - 1) {
    x = width - 1;
    anchor = 'end';
  }
  return svg('text', { x, y: height - 8, class: 'axis-label x-label', 'text-anchor': anchor, text });
}
