// Providers: the public provider list — hardware, capabilities, sandbox enforcement, state, current job — kept live
// by GET /v1/providers/events (Server-Sent Events): a snapshot, then each provider as it connects, disconnects,
// turns busy or idle, or drains. Offers with prices and reputation over time have no API yet; placeholders hold
// their places.
import { h, replace, time, stateBadge, ident, facts, bytes, notYet } from '../dom.js';
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
    list,
    h('section', { 'aria-labelledby': 'market-later-h' },
      h('h2', { id: 'market-later-h' }, 'Offers and reputation'),
      h('div', { class: 'grid grid--2' },
        notYet('Offers and prices', 'Each provider\'s asks (resources and price per hour) appear here with the marketplace.'),
        notYet('Reputation over time', 'A chart of each provider\'s reputation score appears here with verification.'))));

  let providers = []; // ProviderView, in the snapshot's order; newcomers are appended
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
      : providers.map(card));
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

function card(p) {
  const hw = p.hardware;
  return h('article', { class: 'card provider', 'data-testid': 'provider', 'aria-labelledby': `provider-${p.address}` },
    h('div', { class: 'provider__head' },
      h('h2', { id: `provider-${p.address}`, class: 'provider__name' }, p.name),
      stateBadge(p.state, { 'data-testid': 'provider-state' })),
    facts([
      ['Address', ident(p.address, 10, 6)],
      ['Last seen', time(p.lastSeen)],
      ['Current job', p.currentJob ? ident(p.currentJob, 8, 4) : 'none'],
    ]),
    h('h3', {}, 'Hardware'),
    facts([
      ['CPU', `${hw.cpuModel} · ${hw.cores} ${hw.cores === 1 ? 'core' : 'cores'}`],
      ['Memory', bytes(hw.memoryBytes)],
      ['Disk', bytes(hw.diskBytes)],
      ['GPUs', hw.gpus.length === 0 ? 'none' : h('ul', { class: 'plain' }, hw.gpus.map((g) => h('li', {},
        `${g.model}, ${bytes(g.memoryBytes)}`, g.driver ? ` · driver ${g.driver}` : '', g.cuda ? ` · CUDA ${g.cuda}` : '')))],
    ], { 'data-testid': 'hardware' }),
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
    ], { 'data-testid': 'sandbox' }));
}
