// Sign-in with the account key. The key is read from the field or from key.json, used here to sign the
// coordinator's challenge, and dropped: only the signature leaves the browser; only the bearer token is kept
// (sessionStorage, for this tab, until it expires).
import { session } from '../api.js';
import { parseKey, addressOf, signIn } from '../auth.js';
import { h, replace, announce } from '../dom.js';
import { pageHeader, errorBox } from './common.js';

export const title = 'Sign in';

export function render(main, ctx) {
  const next = safeNext(ctx.query.get('next'));
  main.append(pageHeader('Sign in'));
  if (ctx.query.get('expired')) {
    main.append(h('p', { class: 'alert alert--info', role: 'status' }, 'Your session ended. Sign in again to go on.'));
  }
  const current = session.get();
  if (current) {
    main.append(h('p', { class: 'alert alert--info' }, 'You are signed in as ', h('code', {}, current.address), '.'));
  }

  const keyInput = h('input', {
    type: 'password', id: 'private-key', name: 'private-key', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'key-hint', 'data-testid': 'private-key', class: 'input--wide',
  });
  const keyFile = h('input', { type: 'file', id: 'key-file', accept: '.json,application/json', 'data-testid': 'key-file' });
  const address = h('p', { class: 'hint', 'data-testid': 'derived-address', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'button', 'data-testid': 'sign-in' }, 'Sign in');
  const problem = h('div');
  const form = h('form', { class: 'card signin', novalidate: true },
    h('p', {}, 'Use the key of your OpenGrid account: the one ', h('code', {}, 'og'), ' created in ',
      h('code', {}, '~/.opengrid/key.json'), '. The page signs a one-time challenge from the coordinator; ',
      h('strong', {}, 'the key never leaves this browser'), ' and is not stored.'),
    h('div', { class: 'field' },
      h('label', { for: 'private-key' }, 'Private key (hex)'),
      h('p', { id: 'key-hint', class: 'hint' }, '64 hexadecimal characters, with or without 0x.'),
      keyInput),
    h('div', { class: 'field' },
      h('label', { for: 'key-file' }, 'or load key.json'),
      keyFile),
    address,
    h('div', { class: 'actions' }, button),
    problem);
  main.append(form);

  let keyText = '';
  keyInput.addEventListener('input', () => {
    keyText = keyInput.value;
    showAddress();
  });
  keyFile.addEventListener('change', async () => {
    const file = keyFile.files[0];
    if (!file) return;
    keyText = await file.text();
    keyInput.value = '';
    showAddress();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(problem);
    let key;
    try {
      key = parseKey(keyText);
    } catch (error) {
      replace(problem, errorBox(error, { 'data-testid': 'sign-in-error' }));
      keyInput.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const token = await signIn(key);
      session.set(token);
      announce(`Signed in as ${token.address}.`);
      ctx.navigate(next);
    } catch (error) {
      replace(problem, errorBox(error, { 'data-testid': 'sign-in-error' }));
      button.disabled = false;
      button.textContent = 'Sign in';
    } finally {
      key.fill(0);
      keyText = '';
      keyInput.value = '';
      keyFile.value = '';
    }
  });

  function showAddress() {
    try {
      const key = parseKey(keyText);
      address.textContent = `Account: ${addressOf(key)}`;
      key.fill(0);
    } catch {
      address.textContent = keyText.trim() ? 'Not a valid key yet.' : '';
    }
  }
}

/** Only a dashboard path may follow sign-in (no open redirect to another site). */
function safeNext(next) {
  return next && /^\/ui\/[^/\\]/.test(next) && !next.startsWith('/ui/signin') ? next : '/ui/jobs';
}
