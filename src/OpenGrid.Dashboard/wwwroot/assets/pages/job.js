// Job detail: the JobView (resources, inputs, attempts with providers, epochs and prices, exit code, usage; for a
// verified job its replicas and their verdicts), the live log tail, the outputs with downloads and inline previews,
// and the submitted spec. Live without polling: the page follows GET /v1/jobs/{id}/logs?follow=true, whose `state`
// events carry the job at every transition (the last one just before `end`); a broken stream resumes after the last
// chunk shown (Last-Event-ID), so nothing is replayed.
import { api, fetchContent, fetchText } from '../api.js';
import {
  h, replace, append, announce, stateBadge, time, ident, facts, bytes, cores, duration, notYet, table, terminalStates,
} from '../dom.js';
import { usdc } from '../money.js';
import { requireSignIn, errorBox, isAbort, followEvents } from './common.js';

const PreviewLimit = 2 * 1024 * 1024; // outputs up to this size are fetched for an inline preview
const TextPreviewChars = 64 * 1024;
const LogLimitChars = 512 * 1024; // the log tail keeps this much; older text is trimmed

export const title = (ctx) => `Job ${ctx.params.id}`;

export function render(main, ctx) {
  const id = ctx.params.id;
  main.append(h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href: '/ui/jobs' }, 'Jobs'), h('span', { 'aria-hidden': 'true' }, ' / '), h('span', {}, id)));
  if (!requireSignIn(main, 'see this job')) return;

  const heading = h('h1', { tabindex: '-1', 'data-testid': 'job-name' }, 'Job');
  const badge = h('span', { 'data-testid': 'job-state-holder' });
  const cancelButton = h('button', { type: 'button', class: 'button button--danger', hidden: true, onclick: cancel }, 'Cancel job');
  const status = h('p', { class: 'live', 'data-testid': 'job-live', 'aria-live': 'polite' });
  const problem = h('div');
  const summary = h('div', { class: 'card' });
  const resources = h('div', { class: 'card' });
  const attempts = h('div', { class: 'card' });
  const replicas = h('section', { 'aria-labelledby': 'replicas-h', hidden: true },
    h('h2', { id: 'replicas-h' }, 'Verification'), h('div', { class: 'card' }));
  const inputs = h('div', { class: 'card' });
  const outputs = h('div', { class: 'card', 'data-testid': 'outputs' });
  const log = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Log output', 'data-testid': 'log' });
  const logStatus = h('p', { class: 'live' });
  const spec = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading…'));

  main.append(
    h('div', { class: 'page-header' }, h('div', { class: 'page-header__title' }, heading, badge), h('div', { class: 'page-header__actions' }, cancelButton)),
    status, problem,
    h('div', { class: 'grid grid--2' },
      h('section', { 'aria-labelledby': 'summary-h' }, h('h2', { id: 'summary-h' }, 'Summary'), summary),
      h('section', { 'aria-labelledby': 'resources-h' }, h('h2', { id: 'resources-h' }, 'Resources'), resources)),
    h('section', { 'aria-labelledby': 'log-h' },
      h('div', { class: 'section-header' }, h('h2', { id: 'log-h' }, 'Log'), logStatus),
      log),
    h('section', { 'aria-labelledby': 'outputs-h' }, h('h2', { id: 'outputs-h' }, 'Outputs'), outputs),
    replicas,
    h('section', { 'aria-labelledby': 'attempts-h' }, h('h2', { id: 'attempts-h' }, 'Attempts'), attempts),
    h('section', { 'aria-labelledby': 'inputs-h' }, h('h2', { id: 'inputs-h' }, 'Inputs'), inputs),
    h('section', { 'aria-labelledby': 'spec-h' }, h('h2', { id: 'spec-h' }, 'Spec'), spec),
    h('section', { 'aria-labelledby': 'later-h' }, h('h2', { id: 'later-h' }, 'Receipts and cost'),
      h('div', { class: 'grid grid--2' },
        notYet('Signed receipts', 'Receipts signed by the provider need an API that returns them with the job.'),
        notYet('Cost so far', 'The attempts show the price per hour each was matched at; the amount paid and refunded needs an API for the job\'s escrow lease.'))));

  let job = null;
  let grouped = false; // a verified job: only GET /v1/jobs/{id} carries its replicas, not state events or cancel
  let groupReading = null;
  let groupStale = false;
  let outputsKey = null;
  const objectUrls = [];
  ctx.signal.addEventListener('abort', () => objectUrls.forEach((u) => URL.revokeObjectURL(u)));

  load().then(() => {
    if (!job) return;
    followLogs();
    showSpec();
  });

  async function load() {
    try {
      job = await api(`/v1/jobs/${encodeURIComponent(id)}`, { signal: ctx.signal });
      grouped = job.replicas != null;
      replace(problem);
      show();
    } catch (error) {
      if (isAbort(error)) return;
      replace(problem, errorBox(error, { 'data-testid': 'job-error' }));
    }
  }

  // A newer JobView of this job. Without replicas (state events and cancel answer none) a verified job keeps the ones
  // shown and reads them again, so the table follows each transition of the job.
  function update(next) {
    if (grouped && next.replicas == null) {
      next.replicas = job.replicas;
      readGroup();
    }
    job = next;
    show();
  }

  async function readGroup() {
    if (groupReading) {
      groupStale = true; // read once more when this one is back: it may predate the latest transition
      return;
    }
    try {
      groupReading = api(`/v1/jobs/${encodeURIComponent(id)}`, { signal: ctx.signal });
      job.replicas = (await groupReading).replicas;
      showReplicas();
    } catch (error) {
      if (!isAbort(error)) replace(problem, errorBox(error));
    } finally {
      groupReading = null;
    }
    if (groupStale) {
      groupStale = false;
      readGroup();
    }
  }

  function show() {
    const previous = badge.firstChild?.textContent;
    heading.textContent = job.name;
    document.title = `${job.name} · OpenGrid`;
    replace(badge, stateBadge(job.state, { 'data-testid': 'job-state' }));
    if (previous && previous !== job.state) announce(`Job ${job.name} is ${job.state}.`);
    cancelButton.hidden = terminalStates.has(job.state);
    status.textContent = terminalStates.has(job.state) ? ''
      : job.state === 'verifying' ? 'Verifying: this job\'s result is in; it waits for its replicas to reach a quorum. This page updates live.'
        : 'Live: this page updates as the job runs.';

    const last = job.attempts.at(-1);
    replace(summary, facts([
      ['Job id', h('code', { class: 'ident ident--wrap' }, job.id)],
      ['Requester', ident(job.requester, 10, 6)],
      ['Provider', job.provider ? ident(job.provider, 10, 6) : '—'],
      ['Kind', job.kind && job.kind !== 'requested' ? job.kind : null],
      ['Replica of', job.groupOf ? h('a', { href: `/ui/jobs/${encodeURIComponent(job.groupOf)}` }, h('code', { class: 'ident' }, job.groupOf)) : null],
      ['Created', time(job.createdAt)],
      ['Updated', time(job.updatedAt)],
      ['Exit code', job.exitCode ?? null],
      ['Reason', job.reason ?? null],
      ['Usage', last?.usage ? usage(last.usage) : null],
    ]));
    const r = job.resources;
    replace(resources, facts([
      ['CPU', cores(r.cpuMillis)],
      ['Memory', bytes(r.memoryBytes)],
      ['Disk', bytes(r.diskBytes)],
      ['GPUs', r.gpus],
      ['Timeout', duration(r.timeoutSeconds)],
    ]));
    replace(inputs, job.inputs.length === 0
      ? h('p', { class: 'muted' }, 'This job has no inputs.')
      : table(['Path', 'CID'], job.inputs.map((i) => [h('code', {}, i.path), ident(i.cid, 12, 8)]), 'Inputs'));
    replace(attempts, job.attempts.length === 0
      ? h('p', { class: 'muted' }, 'Not assigned to a provider yet.')
      : table(['#', 'Epoch', 'Provider', 'State', 'Price', 'Assigned', 'Started', 'Finished', 'Exit', 'Reason', 'Usage'],
        job.attempts.map((a) => [a.attempt, a.epoch, ident(a.provider, 6, 4), stateBadge(a.state), a.pricePerHour ? `${usdc(a.pricePerHour)}/h` : '—',
          time(a.assignedAt), time(a.startedAt), time(a.finishedAt), a.exitCode ?? '—', a.reason ?? '—', a.usage ? usage(a.usage) : '—']),
        'Attempts', { 'data-testid': 'attempts-table' }));
    showReplicas();
    const key = job.outputs.map((o) => o.cid + o.path).join('|') + job.state;
    if (key !== outputsKey) {
      outputsKey = key;
      showOutputs();
    }
  }

  // A verified job (verify.replicas > 1) is a group: replica 0 is the job itself, the others ran the same spec on
  // distinct providers; each gets a verdict once the quorum has decided.
  function showReplicas() {
    const group = job.replicas ?? [];
    replicas.hidden = group.length === 0;
    if (group.length === 0) return;
    const agreed = group.filter((r) => r.verdict === 'agreed').length;
    replace(replicas.lastChild,
      h('p', { class: 'muted' }, job.state === 'verifying'
        ? `Waiting for the quorum: ${group.length} ${group.length === 1 ? 'replica' : 'replicas'} on distinct providers, ${agreed} agreed so far.`
        : `${group.length} ${group.length === 1 ? 'replica' : 'replicas'} on distinct providers; ${agreed} agreed.`),
      table(['Replica', 'Job', 'Provider', 'State', 'Verdict'],
        group.map((r) => [
          r.replica,
          r.jobId === job.id ? 'this job' : h('a', { href: `/ui/jobs/${encodeURIComponent(r.jobId)}` }, h('code', { class: 'ident' }, r.jobId.slice(0, 8) + '…'), h('span', { class: 'sr-only' }, ` replica ${r.replica}`)),
          r.provider ? ident(r.provider, 6, 4) : '—',
          stateBadge(r.state),
          r.verdict ? h('span', { class: `badge badge--${r.verdict}` }, r.verdict) : h('span', { class: 'muted' }, 'pending'),
        ]),
        'Replicas and verdicts', { 'data-testid': 'replicas-table' }));
  }

  async function showSpec() {
    try {
      const text = await fetchText(`/v1/jobs/${encodeURIComponent(id)}/spec`, { signal: ctx.signal });
      replace(spec, h('pre', { class: 'preview__text', tabindex: '0', 'aria-label': 'Submitted spec (YAML)', 'data-testid': 'spec' }, text));
    } catch (error) {
      if (!isAbort(error)) replace(spec, errorBox(error));
    }
  }

  function showOutputs() {
    if (job.outputs.length === 0) {
      replace(outputs, h('p', { class: 'muted' }, terminalStates.has(job.state)
        ? 'This job wrote no outputs.'
        : 'Outputs appear here when the job finishes.'));
      return;
    }
    replace(outputs, h('ul', { class: 'outputs' }, job.outputs.map((file) => {
      const preview = h('div', { class: 'preview' });
      const item = h('li', { class: 'output', 'data-testid': 'output', 'data-path': file.path },
        h('div', { class: 'output__head' },
          h('div', {}, h('code', { class: 'output__path' }, file.path), ' ', h('span', { class: 'muted' }, bytes(file.size))),
          h('div', { class: 'output__actions' },
            ident(file.cid, 10, 6),
            h('button', { type: 'button', class: 'button button--quiet', 'data-testid': 'download', onclick: () => download(file) },
              'Download', h('span', { class: 'sr-only' }, ` ${file.path}`)))),
        preview);
      if (file.size <= PreviewLimit) showPreview(file, preview);
      else append(preview, h('p', { class: 'muted' }, 'Too large to preview here; download it.'));
      return item;
    })));
  }

  const blobs = new Map(); // cid → Promise<Blob>
  function blobOf(file) {
    if (!blobs.has(file.cid)) {
      const pending = fetchContent(file.cid, { signal: ctx.signal });
      pending.catch(() => blobs.delete(file.cid)); // a failed fetch is tried again on the next click
      blobs.set(file.cid, pending);
    }
    return blobs.get(file.cid);
  }

  async function showPreview(file, preview) {
    try {
      const blob = await blobOf(file);
      const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
      const type = head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47 ? 'image/png'
        : head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff ? 'image/jpeg' : null;
      if (type) {
        const url = URL.createObjectURL(new Blob([blob], { type }));
        objectUrls.push(url);
        replace(preview, h('img', { src: url, alt: `Preview of ${file.path}`, class: 'preview__image', 'data-testid': 'image-preview' }));
        return;
      }
      const sample = new Uint8Array(await blob.slice(0, TextPreviewChars).arrayBuffer());
      let text;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: blob.size > TextPreviewChars });
      } catch {
        text = null;
      }
      if (text === null || text.includes('\0')) {
        replace(preview, h('p', { class: 'muted' }, 'Binary file; no preview.'));
        return;
      }
      replace(preview,
        h('pre', { class: 'preview__text', tabindex: '0', 'aria-label': `Contents of ${file.path}`, 'data-testid': 'text-preview' }, text),
        blob.size > TextPreviewChars ? h('p', { class: 'muted' }, `Showing the first ${bytes(TextPreviewChars)}; download for the rest.`) : null);
    } catch (error) {
      if (!isAbort(error)) replace(preview, errorBox(error));
    }
  }

  async function download(file) {
    try {
      const blob = await blobOf(file);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: file.path.split('/').pop() || 'output', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      if (!isAbort(error)) replace(problem, errorBox(error));
    }
  }

  async function cancel() {
    if (!confirm(`Cancel job ${job.name}? A running job is stopped.`)) return;
    cancelButton.disabled = true;
    try {
      update(await api(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST', signal: ctx.signal }));
    } catch (error) {
      if (!isAbort(error)) replace(problem, errorBox(error));
    } finally {
      cancelButton.disabled = false;
    }
  }

  // State events replace the job; log events append, each with its chunk id, which a reconnect sends back as
  // Last-Event-ID so the stream resumes after the last chunk shown.
  async function followLogs() {
    let lastId = null;
    let lastAttempt = null;
    let size = 0;
    let ended = false;
    log.replaceChildren(h('span', { class: 'muted' }, 'Waiting for output…'));
    logStatus.textContent = 'Following…';
    try {
      await followEvents(`/v1/jobs/${encodeURIComponent(id)}/logs?follow=true`, (name, data, eventId) => {
        if (name === 'log') {
          appendChunk(JSON.parse(data));
          if (eventId !== null) lastId = eventId;
        } else if (name === 'state') {
          update(JSON.parse(data));
        } else if (name === 'end') {
          ended = true;
          if (lastAttempt === null) log.replaceChildren(h('span', { class: 'muted' }, 'The job wrote no log output.'));
          const end = JSON.parse(data);
          logStatus.textContent = `Ended: ${end.state}${end.exitCode != null ? `, exit code ${end.exitCode}` : ''}.`;
        }
      }, {
        signal: ctx.signal,
        lastEventId: () => lastId,
        isDone: () => ended,
        onOpen: () => {
          logStatus.textContent = 'Following…';
        },
        onBreak: (error) => {
          logStatus.textContent = error ? `The log stream failed: ${error.message}. Retrying…` : 'The log stream broke off. Resuming…';
        },
      });
    } catch (error) {
      if (!isAbort(error)) logStatus.textContent = `The log stream failed: ${error.message}.`;
    }

    function appendChunk(chunk) {
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      if (log.firstChild?.classList?.contains('muted')) log.firstChild.remove();
      if (lastAttempt !== null && chunk.attempt !== lastAttempt)
        log.append(h('span', { class: 'log__marker' }, `\n── attempt ${chunk.attempt} ──\n`));
      lastAttempt = chunk.attempt;
      log.append(h('span', { class: chunk.stream === 'stderr' ? 'log__stderr' : 'log__stdout' }, chunk.text));
      size += chunk.text.length;
      while (size > LogLimitChars && log.firstChild) {
        size -= log.firstChild.textContent.length;
        log.firstChild.remove();
      }
      if (atBottom) log.scrollTop = log.scrollHeight;
    }
  }
}

function usage(u) {
  return `${duration(u.wallSeconds)} wall, ${duration(u.cpuSeconds)} CPU, ${bytes(u.peakMemoryBytes)} peak memory`;
}
