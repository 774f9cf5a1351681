// Jobs: the signed-in requester's jobs, newest first, filtered by state, kept live without polling.
//
// One stream for the whole list: GET /v1/jobs/events[?state=] (Server-Sent Events) starts with a snapshot of the
// list and then sends each job as it changes — every transition, and jobs submitted from anywhere (the CLI too).
// A broken stream reconnects with backoff and starts again from a fresh snapshot.
import { h, replace, announce, stateBadge, time, ident, allStates, terminalStates } from '../dom.js';
import { pageHeader, requireSignIn, errorBox, isAbort, followEvents } from './common.js';

export const title = 'Jobs';

export function render(main, ctx) {
  main.append(pageHeader('Your jobs', h('a', { class: 'button', href: '/ui/submit' }, 'Submit a job')));
  if (!requireSignIn(main, 'see your jobs')) return;

  const filter = h('select', { id: 'state-filter', name: 'state', 'data-testid': 'state-filter' },
    h('option', { value: '' }, 'All states'),
    allStates.map((s) => h('option', { value: s }, s)));
  filter.value = allStates.includes(ctx.query.get('state')) ? ctx.query.get('state') : '';
  const live = h('p', { class: 'live', 'data-testid': 'live-status' }, 'Connecting…');
  const refreshButton = h('button', { type: 'button', class: 'button button--quiet', onclick: () => subscribe() }, 'Refresh');
  const body = h('div', { class: 'jobs-body' });
  main.append(
    h('div', { class: 'toolbar' },
      h('div', { class: 'field field--inline' }, h('label', { for: 'state-filter' }, 'State'), filter),
      refreshButton, live),
    body);

  let jobs = new Map(); // job id → JobView, as the stream last said
  let stream = null; // AbortController of the current subscription
  let connected = false;

  filter.addEventListener('change', () => {
    const state = filter.value;
    history.replaceState(null, '', state ? `/ui/jobs?state=${encodeURIComponent(state)}` : '/ui/jobs');
    subscribe();
  });
  // A background tab's connection may have been dropped and be waiting out its backoff: reconnect at once.
  document.addEventListener('visibilitychange', onVisible);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
  function onVisible() {
    if (document.visibilityState === 'visible' && !connected) subscribe();
  }

  subscribe();

  function subscribe() {
    stream?.abort();
    const current = (stream = new AbortController());
    const onLeave = () => current.abort();
    ctx.signal.addEventListener('abort', onLeave, { once: true });
    const state = filter.value;
    connected = false;
    followEvents(`/v1/jobs/events${state ? `?state=${encodeURIComponent(state)}` : ''}`, (name, data) => {
      if (name === 'snapshot') {
        jobs = new Map(JSON.parse(data).jobs.map((j) => [j.id, j]));
        show(state);
      } else if (name === 'job') {
        update(JSON.parse(data), state);
      }
    }, {
      signal: current.signal,
      onOpen: () => {
        connected = true;
      },
      onBreak: (error) => {
        connected = false;
        live.textContent = `Live updates interrupted${error ? ` (${error.message})` : ''}; reconnecting…`;
      },
    }).catch((error) => {
      if (!isAbort(error)) replace(body, errorBox(error));
    }).finally(() => ctx.signal.removeEventListener('abort', onLeave));
  }

  function update(job, state) {
    const before = jobs.get(job.id);
    if (state && job.state !== state) jobs.delete(job.id); // it left the filter
    else jobs.set(job.id, job);
    if (before && !terminalStates.has(before.state) && terminalStates.has(job.state)) announce(`Job ${job.name} is ${job.state}.`);
    show(state);
  }

  function show(state) {
    const list = [...jobs.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (b.id < a.id ? -1 : 1));
    renderList(list, state);
    const active = list.filter((j) => !terminalStates.has(j.state)).length;
    live.textContent = active === 0 ? 'No active jobs.' : `Live: ${active} active job${active === 1 ? '' : 's'}.`;
  }

  function renderList(list, state) {
    if (list.length === 0) {
      replace(body, h('div', { class: 'card card--center', 'data-testid': 'jobs-empty' },
        h('p', {}, state ? `You have no ${state} jobs.` : 'You have no jobs yet.'),
        h('a', { href: '/ui/submit' }, 'Submit your first job')));
      return;
    }
    replace(body, h('table', { class: 'table table--cards', 'data-testid': 'jobs-table' },
      h('caption', { class: 'sr-only' }, state ? `Your ${state} jobs, newest first` : 'Your jobs, newest first'),
      h('thead', {}, h('tr', {}, ['Name', 'State', 'Provider', 'Created', 'Updated', 'Job id'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((job) => h('tr', { 'data-testid': 'job-row', 'data-job-id': job.id },
        h('td', { 'data-label': 'Name' }, h('a', { href: `/ui/jobs/${encodeURIComponent(job.id)}` }, job.name)),
        h('td', { 'data-label': 'State' }, stateBadge(job.state, { 'data-testid': 'job-row-state' })),
        h('td', { 'data-label': 'Provider' }, job.provider ? ident(job.provider, 6, 4) : '—'),
        h('td', { 'data-label': 'Created' }, time(job.createdAt)),
        h('td', { 'data-label': 'Updated' }, time(job.updatedAt)),
        h('td', { 'data-label': 'Job id' }, ident(job.id, 8, 4)))))));
  }
}
