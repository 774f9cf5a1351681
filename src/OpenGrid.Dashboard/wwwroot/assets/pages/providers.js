// Providers: the public provider list — hardware, capabilities, sandbox enforcement, state, current job, offer terms
// with prices and reputation — kept live by GET /v1/providers/events (Server-Sent Events): a snapshot, then each
// provider as it connects, disconnects, turns busy or idle, or drains. Each card expands to the provider's reputation
// over time (GET /v1/providers/{address}/reputation), fetched when opened and again when its score moves.
import { api } from '../api.js';
import { h, replace, time, stateBadge, ident, facts, bytes, duration, table } from '../dom.js';
import { timeChart, widthFor } from '../chart.js';
import { usdc } from '../money.js';
import { pageHeader, errorBox, isAbort, followEvents } from './common.js';

export const title = 'Providers';

export function render(main, ctx) {
  const refresh = h('button', { type: 'button', class: 'button button--quiet', onclick: () => subscribe() }, 'Refresh');
  const live = h('p', { class: 'live', 'data-testid': 'providers-live' }, 'Connecting…');
  const summary = h('div', { class: 'stats', 'data-testid': 'provider-stats' });
  const list = h('div', { class: 'provider-list', 'data-testid': 'providers' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(
    pageHeader('Providers'),
    h('p', { class: 'lead' }, 'Machines that run jobs on this grid. This page is public: it shows hardware and state, never whose jobs run where.'),
    h('div', { class: 'toolbar' }, refresh, live),
    summary,
    list);

  let providers = []; // ProviderView, in the snapshot's order; newcomers are appended
  const histories = new Map(); // address → its reputation panel, kept across redraws so an open one stays open
  ctx.signal.addEventListener('abort', () => histories.forEach((panel) => panel.stop()));
  let stream = null;
  let connected = false;

  // A background tab's connection may have been dropped and be waiting out its backoff: reconnect at once.
  const onVisible = () => {
    if (document.visibilityState === 'visible' && !connected) subscribe();
  };
  document.addEventListener('visibilitychange', onVisible);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
  subscribe();

  function subscribe() {
    stream?.abort();
    const current = (stream = new AbortController());
    const onLeave = () => current.abort();
    ctx.signal.addEventListener('abort', onLeave, { once: true });
    connected = false;
    followEvents('/v1/providers/events', (name, data) => {
      if (name === 'snapshot') {
        providers = JSON.parse(data).providers;
      } else if (name === 'provider') {
        const view = JSON.parse(data);
        const at = providers.findIndex((p) => p.address === view.address);
        if (at >= 0) providers[at] = view;
        else providers.push(view);
      } else {
        return;
      }
      show();
    }, {
      signal: current.signal,
      onOpen: () => {
        connected = true;
        live.textContent = 'Live: updates as providers connect, disconnect and take jobs.';
      },
      onBreak: (error) => {
        connected = false;
        live.textContent = `Live updates interrupted${error ? ` (${error.message})` : ''}; reconnecting…`;
      },
    }).catch((error) => {
      if (!isAbort(error)) replace(list, errorBox(error));
    }).finally(() => ctx.signal.removeEventListener('abort', onLeave));
  }

  function show() {
    showSummary(providers);
    replace(list, providers.length === 0
      ? h('div', { class: 'card card--center' }, h('p', {}, 'No provider has connected yet. Start one with ', h('code', {}, 'og provider start'), '.'))
      : providers.map((p) => card(p, historyOf(p))));
  }

  function historyOf(p) {
    if (!histories.has(p.address)) histories.set(p.address, reputationPanel(p.address));
    const panel = histories.get(p.address);
    panel.scoreIs(p.reputation);
    return panel.element;
  }

  function showSummary(all) {
    const count = (state) => all.filter((p) => p.state === state).length;
    const online = all.filter((p) => p.state !== 'offline');
    const stat = (label, value) => h('div', { class: 'stat' }, h('span', { class: 'stat__value' }, value), h('span', { class: 'stat__label' }, label));
    replace(summary,
      stat('providers', all.length),
      stat('idle', count('idle')),
      stat('busy', count('busy')),
      stat('offline', count('offline')),
      stat('cores online', online.reduce((n, p) => n + p.hardware.cores, 0)),
      stat('memory online', bytes(online.reduce((n, p) => n + p.hardware.memoryBytes, 0))),
      stat('GPUs online', online.reduce((n, p) => n + p.hardware.gpus.length, 0)));
  }
}

function card(p, history) {
  const hw = p.hardware;
  return h('article', { class: 'card provider', 'data-testid': 'provider', 'aria-labelledby': `provider-${p.address}` },
    h('div', { class: 'provider__head' },
      h('h2', { id: `provider-${p.address}`, class: 'provider__name' }, p.name),
      stateBadge(p.state, { 'data-testid': 'provider-state' })),
    facts([
      ['Address', ident(p.address, 10, 6)],
      ['Last seen', time(p.lastSeen)],
      ['Current jobs', (p.currentJobs ?? []).length === 0 ? 'none'
        : h('ul', { class: 'plain', 'data-testid': 'current-jobs' }, p.currentJobs.map((id) => h('li', {}, ident(id, 8, 4))))],
      ['Reputation', p.reputation == null ? null : reputation(p.reputation)],
    ]),
    h('h3', {}, 'Hardware'),
    facts([
      ['CPU', `${hw.cpuModel} · ${hw.cores} ${hw.cores === 1 ? 'core' : 'cores'}`],
      ['Memory', bytes(hw.memoryBytes)],
      ['Disk', bytes(hw.diskBytes)],
      ['GPUs', hw.gpus.length === 0 ? 'none' : h('ul', { class: 'plain' }, hw.gpus.map((g) => h('li', {},
        `${g.model}, ${bytes(g.memoryBytes)}`, g.driver ? ` · driver ${g.driver}` : '', g.cuda ? ` · CUDA ${g.cuda}` : '')))],
    ], { 'data-testid': 'hardware' }),
    p.leased ? utilisation(p.leased, hw) : null,
    h('h3', {}, 'Capabilities'),
    p.capabilities.length === 0
      ? h('p', { class: 'muted' }, 'none declared')
      : h('ul', { class: 'chips', 'aria-label': 'Capabilities' }, p.capabilities.map((c) => h('li', { class: 'chip' }, c))),
    h('h3', {}, 'Sandbox'),
    facts([
      ['Runtime', p.sandbox.runtime],
      ['cgroups', p.sandbox.cgroupVersion],
      ['Enforced', p.sandbox.enforced.length
        ? h('ul', { class: 'chips', 'aria-label': 'Enforced' }, p.sandbox.enforced.map((e) => h('li', { class: 'chip' }, e)))
        : 'nothing'],
    ], { 'data-testid': 'sandbox' }),
    h('h3', {}, 'Offer'),
    p.terms ? terms(p.terms) : h('p', { class: 'muted' }, 'This provider sent no offer terms.'),
    history);
}

/** What the live leases hold against the machine: CPU and memory as meters with their figures in text. */
function utilisation(leased, hw) {
  const row = (label, used, total, text) => h('div', { class: 'utilisation__row' },
    h('span', {}, label),
    h('meter', { min: 0, max: total, value: Math.min(used, total), 'aria-label': `${label} leased` }),
    h('span', { class: 'muted' }, text));
  const cores = (millis) => (millis / 1000).toLocaleString('en', { maximumFractionDigits: 3 });
  return h('section', { class: 'utilisation', 'data-testid': 'utilisation', 'aria-label': 'Utilisation' },
    h('h3', {}, 'Utilisation'),
    row('CPU', leased.cpuMillis, hw.cores * 1000, `${cores(leased.cpuMillis)} of ${hw.cores} cores`),
    row('Memory', leased.memoryBytes, hw.memoryBytes, `${bytes(leased.memoryBytes)} of ${bytes(hw.memoryBytes)}`));
}

/** The score as text (two decimals, as og shows it) and as a meter. */
function reputation(score) {
  return h('span', { class: 'reputation' },
    h('span', { 'data-testid': 'reputation' }, score.toFixed(2)),
    h('meter', { min: 0, max: 1, low: 0.3, high: 0.7, optimum: 1, value: score, 'aria-hidden': 'true' }));
}

/** OfferTermsView: region, longest job, prices per unit-hour as the API wrote them. */
function terms(t) {
  const prices = t.prices;
  return facts([
    ['Region', t.region],
    ['Longest job', duration(t.maxJobSeconds)],
    ['CPU', `${usdc(prices.perCpuCoreHour)} per core-hour`],
    ['Memory', `${usdc(prices.perMemoryGiBHour)} per GiB-hour`],
    ['Disk', `${usdc(prices.perDiskGiBHour)} per GiB-hour`],
    ['GPU', `${usdc(prices.perGpuHourDefault)} per GPU-hour`],
    ...Object.entries(prices.perGpuHourByModel ?? {}).map(([model, price]) => [model, `${usdc(price)} per GPU-hour`]),
  ], { 'data-testid': 'terms' });
}

/**
 * A provider's reputation over time, behind a disclosure: the history is fetched when it is opened, and again when
 * it is open and the provider's score changes (scoreIs is told each new score). The chart plots each trust event's
 * score after it; the table under it lists the events with the score after each.
 */
function reputationPanel(address) {
  const body = h('div', { class: 'history' });
  const element = h('details', { class: 'disclosure', 'data-testid': 'reputation-history' },
    h('summary', {}, 'Reputation over time'), body);
  let controller = null;
  let score = null;
  element.addEventListener('toggle', () => {
    if (element.open) load();
    else controller?.abort();
  });
  return {
    element,
    scoreIs(next) {
      if (score !== null && next !== score && element.open) load();
      score = next;
    },
    stop: () => controller?.abort(),
  };

  async function load() {
    controller?.abort();
    controller = new AbortController();
    if (!body.firstChild) body.append(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const view = await api(`/v1/providers/${encodeURIComponent(address)}/reputation`, { signal: controller.signal });
      show(view);
    } catch (error) {
      if (!isAbort(error)) replace(body, errorBox(error));
    }
  }

  function show(view) {
    if (view.events.length === 0) {
      replace(body, h('p', { class: 'muted', 'data-testid': 'no-trust-events' },
        `No trust event yet: the score stays at ${view.reputation.toFixed(2)} until a result of this provider is verified by quorum or a canary, or it loses a lease.`));
      return;
    }
    const events = [...view.events].reverse(); // the API gives newest first; the chart reads left to right
    replace(body,
      timeChart({
        label: `Reputation of ${address} over its last ${events.length} trust ${events.length === 1 ? 'event' : 'events'}, now ${view.reputation.toFixed(2)}. The table below lists them.`,
        series: [{
          name: 'Reputation',
          points: events.map((e) => ({ at: new Date(e.at), value: e.scoreAfter, text: `${e.event} (${e.jobClass}): ${e.scoreAfter.toFixed(2)}, ${new Date(e.at).toISOString()}` })),
        }],
        yTitle: 'Score (0–1)',
        yFormat: (v) => v.toFixed(2),
        yTicks: [0, 0.25, 0.5, 0.75, 1],
        width: widthFor(body),
      }),
      h('div', { class: 'history__table' },
        table(['When', 'Event', 'Score'],
          view.events.map((e) => [time(e.at), [h('code', {}, e.event), ' ', h('span', { class: 'muted' }, `(${e.jobClass})`)], e.scoreAfter.toFixed(2)]),
          'Trust events, newest first', { 'data-testid': 'trust-events' })));
  }
}
