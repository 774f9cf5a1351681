// Job detail: the JobView (resources, inputs, attempts with providers, epochs and prices, exit code, usage; for a
// verified job its replicas and their verdicts), the live log tail, the outputs with downloads and inline previews,
// the submitted spec, the cost so far (price × time per attempt, live while it runs) and, once the job ended, its
// signed receipts and verdict from the proof pack (GET /v1/jobs/{id}/proof), each signature checked in the browser. Live without polling: the page follows GET /v1/jobs/{id}/logs?follow=true, whose `state`
// events carry the job at every transition (the last one just before `end`); a broken stream resumes after the last
// chunk shown (Last-Event-ID), so nothing is replayed.
import { api, ApiError, fetchContent, fetchText } from '../api.js';
import {
  h, replace, append, announce, stateBadge, time, ident, short, facts, bytes, cores, duration, table, terminalStates,
} from '../dom.js';
import { billedSeconds, formatAmount, payFor, usdc } from '../money.js';
import { checkSignature, receiptHash } from '../receipts.js';
import { requireSignIn, errorBox, isAbort, followEvents, copyText } from './common.js';

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
  const receipts = h('div', { class: 'card', 'data-testid': 'receipts' });
  const cost = h('div', { class: 'card', 'data-testid': 'cost' });

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
    h('section', { 'aria-labelledby': 'receipts-h' }, h('h2', { id: 'receipts-h' }, 'Receipts'), receipts),
    h('section', { 'aria-labelledby': 'attempts-h' }, h('h2', { id: 'attempts-h' }, 'Attempts'), attempts),
    h('section', { 'aria-labelledby': 'cost-h' }, h('h2', { id: 'cost-h' }, 'Cost so far'), cost),
    h('section', { 'aria-labelledby': 'inputs-h' }, h('h2', { id: 'inputs-h' }, 'Inputs'), inputs),
    h('section', { 'aria-labelledby': 'spec-h' }, h('h2', { id: 'spec-h' }, 'Spec'), spec));

  let job = null;
  let grouped = false; // a verified job: only GET /v1/jobs/{id} carries its replicas, not state events or cancel
  let groupReading = null;
  let groupStale = false;
  let outputsKey = null;
  const objectUrls = [];
  let proof = null; // {text, pack}: the proof pack as served, and parsed
  let proofReading = false;
  let payments = null; // true/false once GET /v1/chain answered; null while unknown
  let ticker = 0; // redraws the cost every second while an attempt runs
  ctx.signal.addEventListener('abort', () => {
    objectUrls.forEach((u) => URL.revokeObjectURL(u));
    clearInterval(ticker);
  });

  load().then(() => {
    if (!job) return;
    followLogs();
    showSpec();
    readPayments();
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
    showCost();
    showReceipts();
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

  // Cost so far: per attempt, its price per hour × its time (started → finished, or → now while it runs), rounded as
  // the escrow rounds (EscrowRules.PayFor); all BigInt base units. What the escrow actually releases is the provider's
  // verified seconds, settled on chain; this is the page's estimate of it.
  function showCost() {
    const running = !terminalStates.has(job.state) && job.attempts.some((a) => a.startedAt && !a.finishedAt);
    if (running && !ticker) ticker = setInterval(showCost, 1000);
    else if (!running && ticker) {
      clearInterval(ticker);
      ticker = 0;
    }
    if (job.attempts.length === 0) {
      replace(cost, h('p', { class: 'muted' }, 'Nothing yet: the job has not been matched to a provider.'));
      return;
    }
    const now = Date.now();
    let total = 0n;
    const rows = job.attempts.map((a) => {
      const end = a.finishedAt ? Date.parse(a.finishedAt) : !terminalStates.has(a.state) ? now : null;
      const ms = a.startedAt && end !== null ? Math.max(0, end - Date.parse(a.startedAt)) : null;
      const amount = a.pricePerHour && ms !== null ? payFor(a.pricePerHour, ms, job.resources.timeoutSeconds) : null;
      const fate = escrowFate(a);
      if (amount !== null && fate.counts) total += amount;
      return [
        a.attempt,
        ident(a.provider, 6, 4),
        a.pricePerHour ? `${usdc(a.pricePerHour)}/h` : '—',
        ms === null ? (a.startedAt ? '—' : 'not started') : `${duration(ms / 1000)} (${billedSeconds(ms, job.resources.timeoutSeconds)} s billed)`,
        amount === null ? '—' : h('span', { class: 'amount' }, usdc(formatAmount(amount))),
        fate.text,
      ];
    });
    const settled = (proof?.pack.settlements ?? []).filter((t) => t.kind === 'release');
    replace(cost,
      h('p', { class: 'cost__total' },
        running ? 'Estimated so far: ' : 'Estimated total: ',
        h('strong', { class: 'amount', 'data-testid': 'cost-total' }, usdc(formatAmount(total)))),
      h('p', { class: 'muted' }, 'An estimate of what the escrow releases to the providers: each attempt\'s price per hour × its time from start to finish, in whole seconds rounded up (now while it runs). The chain settles the seconds the provider verifiably ran, pays only an attempt that succeeded, and refunds the rest of each lease.',
        job.replicas ? ' Each replica is a job of its own, with its own cost.' : ''),
      payments === false ? h('p', { class: 'muted', 'data-testid': 'payments-off' }, 'This coordinator settles no payments, so nothing is charged: the amounts are what the job would cost at the prices it was matched at.') : null,
      table(['#', 'Provider', 'Price', 'Time', 'Cost', 'Escrow'], rows, 'Cost per attempt', { 'data-testid': 'cost-table' }),
      settled.length === 0 ? null : h('p', { 'data-testid': 'cost-settled' }, 'Released on chain (from the proof pack): ',
        h('strong', { class: 'amount' }, usdc(formatAmount(settled.reduce((sum, t) => sum + BigInt(t.amount), 0n)))),
        ` in ${settled.length} ${settled.length === 1 ? 'transaction' : 'transactions'}.`));
  }

  // What the escrow does with an attempt's lease: releases its pay when it succeeds (and, in a verified job, its
  // replicas agree), refunds it otherwise.
  function escrowFate(a) {
    if (!a.pricePerHour) return { counts: false, text: '—' };
    if (a.state === 'succeeded') {
      if (job.state === 'verifying') return { counts: true, text: 'released if the quorum agrees' };
      if (job.state === 'failed') return { counts: false, text: 'refunded: no quorum' };
      return { counts: true, text: 'released' };
    }
    if (!terminalStates.has(a.state)) return { counts: true, text: 'released if it succeeds' };
    return { counts: false, text: `refunded: ${a.state}` };
  }

  async function readPayments() {
    try {
      await api('/v1/chain', { signal: ctx.signal });
      payments = true;
    } catch (error) {
      if (isAbort(error)) return;
      if (!(error instanceof ApiError && error.code === 'chain.not_configured')) return; // unknown: say nothing
      payments = false;
    }
    showCost();
  }

  // Receipts: once the job ended, the proof pack holds every attempt's signed receipt (this job's and its replicas'),
  // the verdict and the settlements. Read once; each signature is checked here against its provider.
  function showReceipts() {
    if (!terminalStates.has(job.state)) {
      replace(receipts, h('p', { class: 'muted' }, 'Receipts appear here when the job ends: the provider of each attempt signs one (EIP-712), chained to its previous receipt.'));
      return;
    }
    if (proof) return;
    if (!proofReading) readProof();
  }

  async function readProof() {
    proofReading = true;
    replace(receipts, h('p', { class: 'muted' }, 'Loading the proof pack…'));
    try {
      const text = await fetchText(`/v1/jobs/${encodeURIComponent(id)}/proof`, { signal: ctx.signal, accept: 'application/json' });
      proof = { text, pack: JSON.parse(text) };
      showProof();
      showCost();
    } catch (error) {
      if (isAbort(error)) return;
      replace(receipts, errorBox(error, { 'data-testid': 'receipts-error' }),
        h('button', { type: 'button', class: 'button button--quiet', onclick: readProof }, 'Try again'));
    } finally {
      proofReading = false;
    }
  }

  function showProof() {
    const pack = proof.pack;
    const verdict = pack.verdict ?? { outcome: 'failed', agreeingAttempts: [], details: [] };
    const agreeing = new Set(verdict.agreeingAttempts ?? []);
    const rows = pack.attempts.map((a, i) => {
      const r = a.receipt;
      const position = i + 1;
      let hash = null;
      try {
        hash = receiptHash(r);
      } catch {
        // Malformed: the signature check below says what is wrong.
      }
      const check = checkSignature(r, a.signature, pack.domain);
      return [
        position,
        r.jobId === job.id ? 'this job' : h('a', { href: `/ui/jobs/${encodeURIComponent(r.jobId)}` }, h('code', { class: 'ident' }, r.jobId.slice(0, 8) + '…'), h('span', { class: 'sr-only' }, ` receipt ${position}`)),
        r.attempt,
        ident(r.provider, 6, 4),
        r.epoch,
        r.exitCode,
        receiptUsage(r.usage),
        time(new Date(r.timestamp).toISOString()),
        hash ? copyable(hash, `Receipt ${position} hash`) : '—',
        copyable(r.outputsHash, `Receipt ${position} outputs hash`),
        check.ok
          ? h('span', { class: 'check check--ok', title: 'Checked in this browser: the provider\'s key signed exactly this receipt (EIP-712).' }, 'signature ✓')
          : h('span', { class: 'check check--bad', title: check.why }, 'signature ✗', h('span', { class: 'check__why' }, ` ${check.why}`)),
        agreeing.has(position) ? 'agrees' : '—',
      ];
    });
    const dir = `job-${id}`;
    const command = h('code', { class: 'command__text' },
      `og get ${id} -o ${dir} --proof --coordinator ${location.origin}/ && og verify ${dir}`);
    replace(receipts,
      facts([
        ['Verdict', h('span', { class: `badge badge--${verdict.outcome}`, 'data-testid': 'verdict' }, verdict.outcome)],
        ['Agreeing receipts', agreeing.size === 0 ? 'none' : [...agreeing].sort((x, y) => x - y).map((p) => {
          const r = pack.attempts[p - 1]?.receipt;
          return r ? `${p} (attempt ${r.attempt}, ${short(r.provider, 6, 4)})` : String(p);
        }).join(', ')],
        ['Details', (verdict.details ?? []).length === 0 ? null : h('ul', { class: 'plain' }, verdict.details.map((d) => h('li', {}, d)))],
        ['Policy', pack.verify ? `${pack.verify.replicas} ${pack.verify.replicas === 1 ? 'replica' : 'replicas'}, quorum ${pack.verify.quorum}` : null],
        ['Domain', pack.domain ? `${pack.domain.name} ${pack.domain.version}, chain ${pack.domain.chainId}` : null],
      ], { class: 'facts verdict', 'data-testid': 'verdict-facts' }),
      pack.attempts.length === 0
        ? h('p', { class: 'muted' }, 'No receipts: no attempt of this job reached its end on a provider.')
        : table(['Receipt', 'Job', 'Attempt', 'Provider', 'Epoch', 'Exit', 'Usage', 'Signed at', 'Receipt hash', 'Outputs hash', 'Signature', 'Verdict'],
          rows, 'Signed receipts', { 'data-testid': 'receipts-table' }),
      h('p', { class: 'muted' }, 'The signatures are checked in this browser. og verify checks the whole pack offline, trusting neither the coordinator nor the providers: every signature, the spec, inputs and outputs hashes, each provider\'s receipt chain, the output files against their CIDs, and the verdict.'),
      h('div', { class: 'proof__actions' },
        h('button', { type: 'button', class: 'button', 'data-testid': 'download-proof', onclick: downloadProof }, 'Download proof pack'),
        h('span', { class: 'muted' }, 'proof.json, as the coordinator serves it')),
      h('div', { class: 'command' },
        h('p', {}, 'To check it offline where og is installed, run:'),
        h('pre', { class: 'command__box', tabindex: '0', 'aria-label': 'Command to run', 'data-testid': 'verify-command' }, command),
        h('button', { type: 'button', class: 'button button--quiet', onclick: () => copyText(command) }, 'Copy command')));
  }

  function downloadProof() {
    const url = URL.createObjectURL(new Blob([proof.text], { type: 'application/json' }));
    const link = h('a', { href: url, download: 'proof.json', hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
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

/** A receipt's usage (milliseconds and bytes, as signed). */
function receiptUsage(u) {
  if (!u) return '—';
  return `${duration(u.wallMs / 1000)} wall, ${duration(u.cpuMs / 1000)} CPU${u.gpuMs ? `, ${duration(u.gpuMs / 1000)} GPU` : ''}, ${bytes(u.peakMemoryBytes)} peak memory`;
}

/** A 0x hash shortened, the full value in its title, and a button that copies it. */
function copyable(value, label) {
  const code = h('code', { class: 'ident', title: value }, short(value, 10, 6));
  return h('span', { class: 'copyable' }, code,
    h('button', { type: 'button', class: 'button button--quiet button--small', 'aria-label': `Copy ${label.charAt(0).toLowerCase()}${label.slice(1)}`, title: value, onclick: () => copyText(code, label, value) }, 'Copy'));
}
