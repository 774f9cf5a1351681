// Pieces several pages share.
import { session, ApiError } from '../api.js';
import { h } from '../dom.js';

/** The page heading, focusable so navigation can move focus to it. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' },
    h('h1', { tabindex: '-1' }, title),
    actions.length ? h('div', { class: 'page-header__actions' }, actions) : null);
}

/**
 * True when signed in; otherwise renders a prompt to sign in (coming back here afterwards) and returns false.
 * @param {string} what - what signing in gives, e.g. "see your jobs".
 */
export function requireSignIn(container, what) {
  if (session.get()) return true;
  const next = encodeURIComponent(location.pathname + location.search);
  container.append(h('div', { class: 'card card--center', 'data-testid': 'sign-in-required' },
    h('p', {}, `Sign in with your account key to ${what}.`),
    h('a', { class: 'button', href: `/ui/signin?next=${next}` }, 'Sign in')));
  return false;
}

/** An alert box for an error, with the API's stable code when there is one. */
export function errorBox(error, attrs = {}) {
  const code = error instanceof ApiError ? error.code : null;
  return h('div', { class: 'alert alert--error', role: 'alert', ...attrs },
    h('p', {}, error?.message ?? String(error)),
    code ? h('p', { class: 'alert__code' }, h('code', {}, code)) : null);
}

/** Whether an error is the one thrown when ctx.signal aborted (the user left the page): nothing to show. */
export function isAbort(error) {
  return error?.name === 'AbortError';
}

/** Resolves after ms, or rejects with AbortError when signal aborts first. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
}
