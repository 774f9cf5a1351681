// Providers: the public GET /v1/providers — hardware, capabilities, sandbox enforcement, state, current job.
// Offers with prices and reputation over time have no API yet; their places are held by placeholders.
import { api } from '../api.js';
import { h, replace, stateBadge, time, ident, facts, bytes, notYet } from '../dom.js';
import { pageHeader, errorBox, isAbort } from './common.js';

export const title = 'Providers';

export function render(main, ctx) {
  const refresh = h('button', { type: 'button', class: 'button button--quiet', onclick: () => load() }, 'Refresh');
  const summary = h('div', { class: 'stats', 'data-testid': 'provider-stats' });
  const list = h('div', { class: 'provider-list', 'data-testid': 'providers' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(
    pageHeader('Providers', refresh),
    h('p', { class: 'lead' }, 'Machines that run jobs on this grid. This page is public: it shows hardware and state, never whose jobs run where.'),
    summary,
    list,
    h('section', { 'aria-labelledby': 'market-later-h' },
      h('h2', { id: 'market-later-h' }, 'Offers and reputation'),
      h('div', { class: 'grid grid--2' },
        notYet('Offers and prices', 'Each provider\'s asks (resources and price per hour) appear here with the marketplace.'),
        notYet('Reputation over time', 'A chart of each provider\'s reputation score appears here with verification.'))));

  const onVisible = () => {
    if (document.visibilityState === 'visible') load();
  };
  document.addEventListener('visibilitychange', onVisible);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
  load();

  async function load() {
    try {
      const { providers } = await api('/v1/providers', { signal: ctx.signal });
      showSummary(providers);
      replace(list, providers.length === 0
        ? h('div', { class: 'card card--center' }, h('p', {}, 'No provider has connected yet. Start one with ', h('code', {}, 'og provider start'), '.'))
        : providers.map(card));
    } catch (error) {
      if (!isAbort(error)) replace(list, errorBox(error));
    }
  }

  function showSummary(providers) {
    const count = (state) => providers.filter((p) => p.state === state).length;
    const online = providers.filter((p) => p.state !== 'offline');
    const stat = (label, value) => h('div', { class: 'stat' }, h('span', { class: 'stat__value' }, value), h('span', { class: 'stat__label' }, label));
    replace(summary,
      stat('providers', providers.length),
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
