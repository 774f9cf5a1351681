// Submit: paste or load a job spec, attach its input files, submit, land on the job's page.
//
// The coordinator validates (there is no validate-only endpoint yet), so Submit goes:
//   1. if the spec has local inputs, POST /v1/jobs without their CIDs first: a bad spec answers 422 spec.invalid
//      (shown next to the line numbers) before any file is uploaded; a good one answers 422 input.missing and
//      nothing is created;
//   2. upload each attached file (POST /v1/content, with progress), matched to inputs[].path by file name;
//   3. POST /v1/jobs with inputCids, and go to /ui/jobs/{id}.
// When the grid settles payments (GET /v1/chain), a job needs the requester's signed authorization for the escrow
// (docs/payments.md): the page asks for the account key before anything is uploaded, and when step 3 answers 402
// escrow.authorization_missing with the terms (the job's max rate and worst case, the escrow), signs them here
// (authorization.js) for exactly this spec text and posts again with the authorization. The key never leaves the tab
// and is forgotten once the job is submitted.
import { api, uploadContent, ApiError, session } from '../api.js';
import { h, replace, announce, bytes, debounce } from '../dom.js';
import { specInputs, baseName } from '../specinputs.js';
import { parseKey, addressOf } from '../auth.js';
import { signAuthorization } from '../authorization.js';
import { pageHeader, requireSignIn, errorBox, isAbort } from './common.js';

export const title = 'Submit a job';

export function render(main, ctx) {
  main.append(pageHeader('Submit a job'));
  if (!requireSignIn(main, 'submit jobs')) return;

  let fileName = 'job.yaml';
  let files = [];

  const specFile = h('input', { type: 'file', id: 'spec-file', accept: '.yaml,.yml,text/yaml,application/yaml', 'data-testid': 'spec-file' });
  const gutter = h('div', { class: 'editor__gutter', 'aria-hidden': 'true', 'data-testid': 'gutter' });
  const editor = h('textarea', {
    id: 'spec', name: 'spec', class: 'editor__text', rows: '18', spellcheck: 'false', autocapitalize: 'off',
    autocomplete: 'off', wrap: 'off', 'aria-describedby': 'spec-hint spec-errors', 'data-testid': 'spec',
    placeholder: 'apiVersion: opengrid/v1\nkind: Job\nname: hello\n…',
  });
  const backdrop = h('div', { class: 'editor__backdrop', 'aria-hidden': 'true' });
  const errorList = h('div', { id: 'spec-errors', 'data-testid': 'spec-errors' });
  const inputFiles = h('input', { type: 'file', id: 'input-files', multiple: true, 'aria-describedby': 'input-hint', 'data-testid': 'input-files' });
  const inputTable = h('div', { 'data-testid': 'inputs' });
  const keyInput = h('input', {
    id: 'authorizing-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'authorizing-key-hint authorizing-key-error', 'data-testid': 'authorizing-key',
  });
  const keyFile = h('input', { type: 'file', id: 'authorizing-key-file', accept: '.json,application/json', 'data-testid': 'authorizing-key-file' });
  const keyError = h('p', { id: 'authorizing-key-error', class: 'field__error', 'data-testid': 'authorizing-key-error' });
  keyFile.addEventListener('change', async () => {
    const file = keyFile.files[0];
    if (file) keyInput.value = (await file.text()).trim();
    keyFile.value = '';
  });
  const payment = h('section', { class: 'card', 'aria-labelledby': 'payment-h', hidden: true, 'data-testid': 'payment' },
    h('h2', { id: 'payment-h' }, '3. Payment authorization'),
    h('p', { class: 'muted' }, 'This grid pays providers from your escrow deposit. The escrow opens leases for a job only under your signed authorization: at most the spec\'s price.maxPerHour per hour and at most the job\'s worst case in all (every replica for the whole timeout). This page signs it with your key, here in the tab; the coordinator never sees the key.'),
    h('div', { class: 'field' },
      h('label', { for: keyInput.id }, 'Your account key (signs the authorization)'),
      h('p', { id: 'authorizing-key-hint', class: 'hint' }, 'The privateKey from ~/.opengrid/key.json, the key you signed in with. It stays in this tab.'),
      keyInput, keyError),
    h('div', { class: 'field' }, h('label', { for: keyFile.id }, 'or load key.json'), keyFile));
  const submitButton = h('button', { type: 'submit', class: 'button', 'data-testid': 'submit' }, 'Submit job');
  const progress = h('div', { class: 'uploads', 'data-testid': 'uploads' });
  const status = h('p', { class: 'live', role: 'status', 'data-testid': 'submit-status' });
  const problem = h('div', { 'data-testid': 'submit-problem' });

  const form = h('form', { class: 'submit-form', novalidate: true },
    h('section', { class: 'card', 'aria-labelledby': 'spec-h' },
      h('h2', { id: 'spec-h' }, '1. Job spec'),
      h('div', { class: 'field' },
        h('label', { for: 'spec-file' }, 'Load a spec file (optional)'),
        specFile),
      h('div', { class: 'field' },
        h('label', { for: 'spec' }, 'Job spec (YAML)'),
        h('p', { id: 'spec-hint', class: 'hint' }, 'Paste a spec such as ', h('code', {}, 'examples/hello/job.yaml'),
          '. Errors found by the coordinator are marked next to their line numbers.'),
        h('div', { class: 'editor' }, gutter, h('div', { class: 'editor__body' }, backdrop, editor))),
      errorList),
    h('section', { class: 'card', 'aria-labelledby': 'inputs-h' },
      h('h2', { id: 'inputs-h' }, '2. Input files'),
      h('div', { class: 'field' },
        h('label', { for: 'input-files' }, 'Attach input files'),
        h('p', { id: 'input-hint', class: 'hint' }, 'Each file is matched to the spec\'s ', h('code', {}, 'inputs[].path'),
          ' by file name and uploaded to the coordinator\'s content store when you submit.'),
        inputFiles),
      inputTable,
      progress),
    payment,
    h('div', { class: 'actions' }, submitButton, status),
    problem);
  main.append(form);

  const refreshInputs = debounce(showInputs, 200);
  ctx.signal.addEventListener('abort', () => refreshInputs.cancel());
  editor.addEventListener('input', () => {
    showLines();
    refreshInputs();
  });
  editor.addEventListener('scroll', syncScroll);
  specFile.addEventListener('change', async () => {
    const file = specFile.files[0];
    if (!file) return;
    fileName = file.name;
    editor.value = await file.text();
    showLines();
    showInputs();
    announce(`Loaded ${file.name}.`);
  });
  inputFiles.addEventListener('change', () => {
    files = Array.from(inputFiles.files);
    showInputs();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  let errorLines = new Map(); // line → messages
  let paymentsOn = false;
  showLines();
  showInputs();
  api('/v1/chain', { signal: ctx.signal }).then(() => {
    paymentsOn = true;
    payment.hidden = false;
  }, () => {
    // chain.not_configured: jobs run unpaid and need no authorization (any other failure: the submit will say).
  });

  /** The account key, checked to be the signed-in account's; null (and the reason shown) otherwise. Clears the field. */
  function takeKey() {
    let key;
    try {
      key = parseKey(keyInput.value);
    } catch (e) {
      return refuseKey(e.message);
    }
    const signedIn = session.get()?.address;
    if (addressOf(key) !== signedIn) return refuseKey(`that key is account ${addressOf(key)}, but you are signed in as ${signedIn}; use the key you signed in with`);
    keyError.textContent = '';
    keyInput.setAttribute('aria-invalid', 'false');
    keyInput.value = '';
    return key;
  }

  function refuseKey(message) {
    keyError.textContent = message;
    keyInput.setAttribute('aria-invalid', 'true');
    keyInput.focus();
    return null;
  }

  function showLines() {
    const count = Math.max(1, editor.value.split('\n').length);
    const numbers = [];
    for (let line = 1; line <= count; line++) {
      const messages = errorLines.get(line);
      numbers.push(h('span', {
        class: messages ? 'editor__line editor__line--error' : 'editor__line',
        'data-line': line,
        title: messages ? messages.join('\n') : null,
      }, String(line)));
    }
    replace(gutter, numbers);
    replace(backdrop, Array.from({ length: count }, (_, i) =>
      h('span', { class: errorLines.has(i + 1) ? 'editor__row editor__row--error' : 'editor__row' })));
    syncScroll();
  }

  function syncScroll() {
    gutter.scrollTop = editor.scrollTop;
    backdrop.style.transform = `translateY(${-editor.scrollTop}px)`;
  }

  function plan() {
    const inputs = specInputs(editor.value);
    return inputs.map((input) => ({
      ...input,
      file: input.cid ? null : files.find((f) => f.name === baseName(input.path)) ?? files.find((f) => f.name === baseName(input.from)) ?? null,
    }));
  }

  function showInputs() {
    const rows = plan();
    const used = new Set(rows.map((r) => r.file).filter(Boolean));
    const unused = files.filter((f) => !used.has(f));
    if (rows.length === 0 && files.length === 0) {
      replace(inputTable, h('p', { class: 'muted' }, 'The spec lists no inputs.'));
      return;
    }
    replace(inputTable,
      h('table', { class: 'table table--cards' },
        h('caption', { class: 'sr-only' }, 'Spec inputs and the files that fill them'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Spec path'), h('th', { scope: 'col' }, 'Comes from'))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-testid': 'input-row', 'data-path': r.path },
          h('td', { 'data-label': 'Spec path' }, h('code', {}, r.path)),
          h('td', { 'data-label': 'Comes from' },
            r.cid ? ['CID ', h('code', { class: 'ident', title: r.cid }, r.cid)]
              : r.file ? [h('span', { class: 'ok' }, '✓ '), `${r.file.name} (${bytes(r.file.size)})`]
                : h('span', { class: 'warn' }, `missing — attach a file named ${baseName(r.path)}`)))))),
      unused.length ? h('p', { class: 'hint' }, `Not used by the spec: ${unused.map((f) => f.name).join(', ')}`) : null);
  }

  function showSpecErrors(errors) {
    errorLines = new Map();
    for (const e of errors) {
      if (e.line > 0) errorLines.set(e.line, [...(errorLines.get(e.line) ?? []), `${e.path ? e.path + ': ' : ''}${e.message}`]);
    }
    showLines();
    if (errors.length === 0) {
      replace(errorList);
      return;
    }
    replace(errorList, h('div', { class: 'alert alert--error', role: 'alert' },
      h('p', {}, `The coordinator found ${errors.length} error${errors.length === 1 ? '' : 's'} in the spec:`),
      h('ul', { class: 'spec-errors' }, errors.map((e) => h('li', { 'data-testid': 'spec-error', 'data-line': e.line },
        e.line > 0
          ? h('button', { type: 'button', class: 'link', onclick: () => goToLine(e.line, e.column) }, `Line ${e.line}, column ${e.column}`)
          : null,
        e.line > 0 ? ': ' : null,
        e.path ? [h('code', {}, e.path), ' — '] : null,
        e.message)))));
    const first = errors.find((e) => e.line > 0);
    announce(`${errors.length} error(s) in the spec${first ? `, the first on line ${first.line}` : ''}.`);
  }

  function goToLine(line, column) {
    const lines = editor.value.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const caret = Math.min(start + Math.max(0, column - 1), start + (lines[line - 1]?.length ?? 0));
    editor.focus();
    editor.setSelectionRange(caret, caret);
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  async function submit() {
    replace(problem);
    replace(progress);
    showSpecErrors([]);
    const spec = editor.value;
    if (!spec.trim()) {
      replace(problem, errorBox(new Error('Paste or load a job spec first.')));
      editor.focus();
      return;
    }
    let key = null;
    if (paymentsOn && !(key = takeKey())) return;
    setBusy(true, 'Checking the spec…');
    try {
      const rows = plan();
      const local = rows.filter((r) => !r.cid);
      if (local.length > 0) {
        // Validate before uploading anything. With no CIDs sent, a valid spec stops at input.missing.
        try {
          const job = await post(spec, {}, key);
          return landOn(job);
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'input.missing')) throw error;
        }
        const missing = local.filter((r) => !r.file);
        if (missing.length > 0) {
          throw new Error(`Attach the input file${missing.length === 1 ? '' : 's'} ${missing.map((r) => baseName(r.path)).join(', ')} (under Input files).`);
        }
      }

      const inputCids = {};
      for (const row of local) {
        status.textContent = `Uploading ${row.file.name}…`;
        inputCids[row.path] = (await upload(row.file)).cid;
      }
      status.textContent = 'Submitting…';
      landOn(await post(spec, inputCids, key));
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.code === 'spec.invalid' && Array.isArray(error.problem.errors)) {
        showSpecErrors(error.problem.errors);
        setBusy(false, '');
        return;
      }
      replace(problem, errorBox(error, { 'data-testid': 'submit-error' }));
      setBusy(false, '');
    }
  }

  function landOn(job) {
    announce(`Submitted job ${job.name}.`);
    ctx.navigate(`/ui/jobs/${encodeURIComponent(job.id)}`);
  }

  /**
   * POST /v1/jobs; with payments on, an escrow.authorization_missing answer carries the terms to sign: signs them with
   * `key` for this spec text and posts once more with the authorization.
   */
  async function post(spec, inputCids, key) {
    const send = (authorization) => api('/v1/jobs', { method: 'POST', body: { spec, fileName, inputCids, authorization }, signal: ctx.signal });
    try {
      return await send(undefined);
    } catch (error) {
      const terms = error instanceof ApiError && error.code === 'escrow.authorization_missing' ? error.problem.authorization : null;
      if (!terms || !key) throw error;
      status.textContent = `Signing your authorization: at most ${terms.maxRatePerHour} USDC per hour and ${terms.maxTotal} USDC in all for this job…`;
      const job = await send(signAuthorization(terms, spec, key));
      announce(`Authorized at most ${terms.maxTotal} USDC for job ${job.name}.`);
      return job;
    }
  }

  function upload(file) {
    const bar = h('progress', { max: String(Math.max(file.size, 1)), value: '0', id: `upload-${progress.childElementCount}` });
    const label = h('span', { class: 'upload__percent' }, '0%');
    progress.append(h('div', { class: 'upload', 'data-testid': 'upload' },
      h('label', { for: bar.id }, file.name, ' ', h('span', { class: 'muted' }, bytes(file.size))), bar, label));
    return uploadContent(file, (loaded, total) => {
      bar.max = Math.max(total, 1);
      bar.value = loaded;
      label.textContent = `${total ? Math.round((loaded / total) * 100) : 100}%`;
    }, { signal: ctx.signal });
  }

  function setBusy(busy, text) {
    submitButton.disabled = busy;
    submitButton.textContent = busy ? 'Submitting…' : 'Submit job';
    form.setAttribute('aria-busy', String(busy));
    status.textContent = text;
  }
}
