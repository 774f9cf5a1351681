// Market: order book depth per resource class and recent clearing prices, from GET /v1/market. Public and aggregate
// only: counts, free capacity and prices — never whose jobs wait or run. The market has no event stream, so the page
// asks again every few seconds while the tab is visible (and at once when it becomes visible again).
import { api } from '../api.js';
import { h, replace, time, bytes, cores, ident, table } from '../dom.js';
import { barChart, timeChart, widthFor } from '../chart.js';
import { parseAmount, shortAmount, usdc } from '../money.js';
import { pageHeader, errorBox, isAbort, refreshEvery } from './common.js';

export const title = 'Market';

const RefreshMs = 5000;
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function render(main, ctx) {
  const refresh = h('button', { type: 'button', class: 'button button--quiet', onclick: () => load() }, 'Refresh');
  const live = h('p', { class: 'live', 'data-testid': 'market-live' }, 'Loading…');
  const problem = h('div');
  const depth = h('div', { class: 'card', 'data-testid': 'market-depth' }, h('p', { class: 'muted' }, 'Loading…'));
  const prices = h('div', { class: 'card', 'data-testid': 'market-prices' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(
    pageHeader('Market'),
    h('p', { class: 'lead' }, 'Jobs waiting (bids) and providers offering (asks) per resource class, and the prices recent matches cleared at. This page is public: it shows totals and prices, never whose jobs they are.'),
    h('div', { class: 'toolbar' }, refresh, live),
    problem,
    h('section', { 'aria-labelledby': 'depth-h' }, h('h2', { id: 'depth-h' }, 'Order book depth'), depth),
    h('section', { 'aria-labelledby': 'prices-h' }, h('h2', { id: 'prices-h' }, 'Recent clearing prices'), prices));

  let shown = null; // the JSON last drawn: an unchanged answer is not redrawn
  const load = refreshEvery(RefreshMs, fetchMarket, ctx.signal);

  async function fetchMarket() {
    try {
      const market = await api('/v1/market', { signal: ctx.signal });
      replace(problem);
      live.textContent = `Updated ${timeOfDay.format(new Date())}; refreshes every ${RefreshMs / 1000} s.`;
      const json = JSON.stringify(market);
      if (json === shown) return;
      shown = json;
      showDepth(market.classes);
      showPrices(market.recentClearing);
    } catch (error) {
      if (isAbort(error)) return;
      live.textContent = `Could not refresh (${error.message}); trying again in ${RefreshMs / 1000} s.`;
      if (shown === null) replace(problem, errorBox(error));
    }
  }

  function showDepth(classes) {
    if (classes.length === 0) {
      replace(depth, h('p', { class: 'muted', 'data-testid': 'market-empty' }, 'Nothing is offered and nothing is waiting: no provider is connected and no job is queued.'));
      return;
    }
    const waiting = classes.reduce((n, c) => n + c.bids, 0);
    replace(depth,
      barChart({
        label: `Order book depth: ${classes.map((c) => `${c.class}, ${c.bids} ${c.bids === 1 ? 'job' : 'jobs'} waiting, ${c.offers} ${c.offers === 1 ? 'offer' : 'offers'}`).join('; ')}.`,
        categories: classes.map((c) => ({ name: c.class, note: free(c) })),
        series: [
          { name: 'Bids (jobs waiting)', values: classes.map((c) => c.bids) },
          { name: 'Offers (providers)', values: classes.map((c) => c.offers) },
        ],
        xTitle: 'Resource class',
        yTitle: 'Count',
        width: widthFor(depth),
      }),
      h('p', { class: 'muted' }, waiting === 0 ? 'No job is waiting for a provider.' : `${waiting} ${waiting === 1 ? 'job is' : 'jobs are'} waiting for a provider.`),
      table(['Class', 'Bids', 'Offers', 'Free CPU', 'Free memory', 'Free GPUs', 'Lowest ask'],
        classes.map((c) => [
          h('code', {}, c.class), c.bids, c.offers, cores(c.freeCpuMillis), bytes(c.freeMemoryBytes), c.freeGpus,
          c.lowestAsk ? `${usdc(c.lowestAsk)} per ${c.class === 'cpu' ? 'core' : 'GPU'}-hour` : '—',
        ]),
        'Order book depth per resource class', { 'data-testid': 'depth-table' }));
  }

  function showPrices(recent) {
    if (recent.length === 0) {
      replace(prices, h('p', { class: 'muted', 'data-testid': 'no-clearing' }, 'No match yet: a clearing price appears here when a job is matched to a provider.'));
      return;
    }
    const classes = [...new Set(recent.map((m) => m.class))].sort();
    replace(prices,
      timeChart({
        label: `Clearing prices per hour of the last ${recent.length} ${recent.length === 1 ? 'match' : 'matches'}, by resource class: ${classes.join(', ')}. The table below lists each.`,
        series: classes.map((cls) => ({
          name: cls,
          points: recent.filter((m) => m.class === cls).map((m) => ({
            at: new Date(m.at),
            value: Number(parseAmount(m.pricePerHour)),
            text: `${cls}: ${usdc(m.pricePerHour)} per hour, ${new Date(m.at).toISOString()}`,
          })),
        })),
        yTitle: 'USDC per hour',
        yFormat: (v) => shortAmount(BigInt(Math.round(v))),
        integer: true,
        width: widthFor(prices),
      }),
      table(['Matched', 'Class', 'Price per hour', 'Provider'],
        recent.map((m) => [time(m.at), h('code', {}, m.class), usdc(m.pricePerHour), ident(m.provider, 6, 4)]),
        'Recent clearing prices', { 'data-testid': 'clearing-table' }));
  }
}

/** A class's free capacity in a few words: "3 cores free" for cpu, "1 GPU free" for a GPU class. */
function free(c) {
  if (c.class === 'cpu') return `${cores(c.freeCpuMillis)} free`;
  return `${c.freeGpus} ${c.freeGpus === 1 ? 'GPU' : 'GPUs'} free`;
}
