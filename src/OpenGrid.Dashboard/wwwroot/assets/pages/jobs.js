// Jobs: the signed-in requester's jobs, newest first, filtered by state, kept live without polling.
//
// The API has no list-wide event stream yet, so the page follows each active job's log stream
// (GET /v1/jobs/{id}/logs?follow=true, Server-Sent Events) and re-fetches the list whenever one of them says
// something; the stream's final `end` event marks the job's terminal state. Limits, documented in docs/dashboard.md:
// a state change that comes with no log line (queued → running before the first output) shows at the next event;
// a job submitted elsewhere (the CLI) shows at the next event or refresh; at most MaxStreams jobs are followed,
// because plain-HTTP browsers allow six connections per host and the page needs some for its own calls.
import { api, readEvents } from '../api.js';
import { h, replace, announce, stateBadge, time, ident, allStates, terminalStates, debounce } from '../dom.js';
import { pageHeader, requireSignIn, errorBox, isAbort, sleep } from './common.js';

const MaxStreams = 3;

export const title = 'Jobs';

export function render(main, ctx) {
  main.append(pageHeader('Your jobs', h('a', { class: 'button', href: '/ui/submit' }, 'Submit a job')));
  if (!requireSignIn(main, 'see your jobs')) return;

  const filter = h('select', { id: 'state-filter', name: 'state', 'data-testid': 'state-filter' },
    h('option', { value: '' }, 'All states'),
    allStates.map((s) => h('option', { value: s }, s)));
  filter.value = allStates.includes(ctx.query.get('state')) ? ctx.query.get('state') : '';
  const live = h('p', { class: 'live', 'data-testid': 'live-status' });
  const refreshButton = h('button', { type: 'button', class: 'button button--quiet', onclick: () => load() }, 'Refresh');
  const body = h('div', { class: 'jobs-body' });
  main.append(
    h('div', { class: 'toolbar' },
      h('div', { class: 'field field--inline' }, h('label', { for: 'state-filter' }, 'State'), filter),
      refreshButton, live),
    body);

  const streams = new Map(); // job id → AbortController of its followed log stream
  let loading = null;
  const refreshSoon = debounce(() => load(), 250);
  ctx.signal.addEventListener('abort', () => refreshSoon.cancel());

  filter.addEventListener('change', () => {
    const state = filter.value;
    history.replaceState(null, '', state ? `/ui/jobs?state=${encodeURIComponent(state)}` : '/ui/jobs');
    load();
  });
  document.addEventListener('visibilitychange', onVisible);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
  function onVisible() {
    if (document.visibilityState === 'visible') load();
  }

  load();

  async function load() {
    loading?.abort();
    const request = (loading = new AbortController());
    const onLeave = () => request.abort();
    ctx.signal.addEventListener('abort', onLeave, { once: true });
    try {
      const state = filter.value;
      const list = await api(`/v1/jobs${state ? `?state=${encodeURIComponent(state)}` : ''}`, { signal: request.signal });
      renderList(list.jobs, state);
      follow(list.jobs);
    } catch (error) {
      if (!isAbort(error)) replace(body, errorBox(error));
    } finally {
      ctx.signal.removeEventListener('abort', onLeave);
    }
  }

  function renderList(jobs, state) {
    if (jobs.length === 0) {
      replace(body, h('div', { class: 'card card--center', 'data-testid': 'jobs-empty' },
        h('p', {}, state ? `You have no ${state} jobs.` : 'You have no jobs yet.'),
        h('a', { href: '/ui/submit' }, 'Submit your first job')));
      return;
    }
    replace(body, h('table', { class: 'table table--cards', 'data-testid': 'jobs-table' },
      h('caption', { class: 'sr-only' }, state ? `Your ${state} jobs, newest first` : 'Your jobs, newest first'),
      h('thead', {}, h('tr', {}, ['Name', 'State', 'Provider', 'Created', 'Updated', 'Job id'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, jobs.map((job) => h('tr', { 'data-testid': 'job-row', 'data-job-id': job.id },
        h('td', { 'data-label': 'Name' }, h('a', { href: `/ui/jobs/${encodeURIComponent(job.id)}` }, job.name)),
        h('td', { 'data-label': 'State' }, stateBadge(job.state, { 'data-testid': 'job-row-state' })),
        h('td', { 'data-label': 'Provider' }, job.provider ? ident(job.provider, 6, 4) : '—'),
        h('td', { 'data-label': 'Created' }, time(job.createdAt)),
        h('td', { 'data-label': 'Updated' }, time(job.updatedAt)),
        h('td', { 'data-label': 'Job id' }, ident(job.id, 8, 4)))))));
  }

  function follow(jobs) {
    const active = jobs.filter((j) => !terminalStates.has(j.state));
    const followed = active.slice(0, MaxStreams);
    for (const [id, stream] of streams) {
      if (!followed.some((j) => j.id === id)) {
        stream.abort();
        streams.delete(id);
      }
    }
    for (const job of followed) {
      if (!streams.has(job.id)) followJob(job.id);
    }
    const more = active.length - followed.length;
    live.textContent = active.length === 0
      ? 'No active jobs.'
      : `Live: following ${followed.length} active job${followed.length === 1 ? '' : 's'}` +
        (more > 0 ? `; ${more} more update when these change or on refresh.` : '.');
  }

  async function followJob(id) {
    const stream = new AbortController();
    streams.set(id, stream);
    const onLeave = () => stream.abort();
    ctx.signal.addEventListener('abort', onLeave, { once: true });
    let delay = 1000;
    try {
      while (streams.get(id) === stream) {
        let ended = false;
        try {
          await readEvents(`/v1/jobs/${encodeURIComponent(id)}/logs?follow=true`, (name) => {
            if (name === 'end') {
              ended = true;
              announce('A job finished.');
            }
            refreshSoon();
          }, { signal: stream.signal });
          delay = 1000;
        } catch (error) {
          if (isAbort(error)) return;
          if (error.status === 404) {
            refreshSoon();
            return;
          }
        }
        if (ended) return;
        await sleep(delay, stream.signal); // the stream broke off: reconnect, backing off
        delay = Math.min(delay * 2, 30_000);
      }
    } catch (error) {
      if (!isAbort(error)) throw error;
    } finally {
      ctx.signal.removeEventListener('abort', onLeave);
      if (streams.get(id) === stream) streams.delete(id);
    }
  }
}
