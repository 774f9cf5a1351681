// Small DOM and formatting helpers. Everything shown comes from the API (job names, logs, provider names are
// untrusted), so pages build nodes with h() and text nodes — never innerHTML with data.

/** Creates an element: h('a', { href: '/ui/jobs', class: 'x', onclick: fn }, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

const svgNamespace = 'http://www.w3.org/2000/svg';

/** Creates an SVG element, as h() does an HTML one: svg('circle', { cx: 4, cy: 4, r: 2, class: 'dot' }). */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(svgNamespace, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'value') el.value = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays; null and false are skipped). */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Says something to screen readers without moving focus. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = text;
}

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB". */
export function bytes(n) {
  if (n == null || Number.isNaN(n)) return '—';
  let value = Number(n);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${binaryUnits[unit]}`;
}

/** Millicores → "0.5 cores" / "2 cores". */
export function cores(millis) {
  const c = millis / 1000;
  return `${Number.isInteger(c) ? c : c.toFixed(2).replace(/0+$/, '')} ${c === 1 ? 'core' : 'cores'}`;
}

/** Seconds → "1m 30s", "2h 5m", "0.42 s". */
export function duration(seconds) {
  if (seconds == null) return '—';
  if (seconds < 10) return `${Number(seconds).toFixed(2).replace(/\.?0+$/, '')} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return rest ? `${m}m ${rest}s` : `${m}m`;
  return `${rest}s`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> element with a local, readable date and the ISO value in datetime. */
export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, timeFormat.format(date));
}

/** Shortens long identifiers for display: 0x1234…abcd. The full value goes in title by the caller. */
export function short(text, head = 8, tail = 6) {
  if (!text || text.length <= head + tail + 1) return text ?? '';
  return `${text.slice(0, head)}…${text.slice(-tail)}`;
}

/** An identifier shown shortened, full text in title and for copy. */
export function ident(text, head, tail) {
  return h('code', { class: 'ident', title: text }, short(text, head, tail));
}

export const terminalStates = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export const allStates = ['queued', 'assigned', 'running', 'verifying', 'succeeded', 'failed', 'cancelled', 'timed_out'];

/** The state as a coloured badge; the text is the API's wire value so it matches the CLI and docs. */
export function stateBadge(state, attrs = {}) {
  return h('span', { class: `badge badge--${state}`, ...attrs }, state);
}

/** A definition list from [term, value] pairs; null values are skipped. */
export function facts(pairs, attrs = {}) {
  return h('dl', { class: 'facts', ...attrs },
    pairs.filter(([, value]) => value != null && value !== '').map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

/**
 * A table that becomes labelled cards below 640 px: columns are the header texts, rows arrays of cells (nodes or
 * text); the caption is for screen readers. attrs go on the <table>.
 */
export function table(columns, rows, caption, attrs = {}) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'table table--cards', ...attrs },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell)))))));
}

/** A notice for things the API does not offer yet. */
export function notYet(title, text) {
  return h('div', { class: 'placeholder', role: 'note' },
    h('p', { class: 'placeholder__title' }, title, ' — not available yet'),
    h('p', {}, text));
}

/** Debounces fn: called once, delay ms after the last call. */
export function debounce(fn, delay) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delay);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
