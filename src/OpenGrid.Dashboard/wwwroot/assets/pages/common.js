// Pieces several pages share.
import { session, ApiError, readEvents } from '../api.js';
import { h, announce } from '../dom.js';

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

/**
 * Keeps a Server-Sent Events stream open: reads it with readEvents and, when it breaks off, reconnects after a
 * backoff (1 s doubling to 30 s, back to 1 s once a connection is accepted). Resolves when signal aborts, or when the
 * stream ends and isDone() says it was meant to; rejects with an ApiError the server answered with 4xx (no such job,
 * sign-in expired), since trying again would get the same answer.
 * @param {string} path - the stream's URL.
 * @param {(name: string, data: string, id: string|null) => void} onEvent
 * @param {{signal: AbortSignal, lastEventId?: () => string|null, isDone?: () => boolean,
 *          onOpen?: () => void, onBreak?: (error: Error|null) => void}} options - lastEventId is asked before each
 *   connection and sent as Last-Event-ID; onBreak gets the error, or null when the server ended the stream.
 */
export async function followEvents(path, onEvent, { signal, lastEventId, isDone, onOpen, onBreak } = {}) {
  let delay = 1000;
  for (;;) {
    try {
      await readEvents(path, onEvent, {
        signal,
        lastEventId: lastEventId?.(),
        onOpen: () => {
          delay = 1000;
          onOpen?.();
        },
      });
      if (isDone?.()) return;
      onBreak?.(null);
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) throw error;
      onBreak?.(error);
    }
    try {
      await sleep(delay, signal);
    } catch {
      return; // aborted while waiting
    }
    delay = Math.min(delay * 2, 30_000);
  }
}

/**
 * For data that has no event stream: calls load() now, then every ms while the tab is visible, and at once when the
 * tab becomes visible again, until signal aborts. Calls never overlap (asking during one gets that one). load shows
 * its own errors and does not throw. Returns a function that loads now, for a Refresh button.
 */
export function refreshEvery(ms, load, signal) {
  let running = null;
  const now = () => (running ??= load().finally(() => {
    running = null;
  }));
  const onVisible = () => {
    if (document.visibilityState === 'visible') now();
  };
  document.addEventListener('visibilitychange', onVisible);
  signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
  (async () => {
    for (;;) {
      if (document.visibilityState === 'visible') await now();
      try {
        await sleep(ms, signal);
      } catch {
        return; // the page was left
      }
    }
  })();
  return now;
}

/**
 * Copies text shown in an element (a command; a hash shown shortened, given whole as text); where the clipboard API
 * is not offered (plain HTTP), the element shows the whole text, selected for Ctrl+C, instead. Says which happened to
 * screen readers.
 */
export async function copyText(el, what = 'Command', text = el.textContent) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      announce(`${what} copied.`);
      return;
    } catch {
      // Refused (no permission): fall back to selecting it.
    }
  }
  if (el.textContent !== text) el.textContent = text;
  const range = document.createRange();
  range.selectNodeContents(el);
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  announce(`${what} selected: press Ctrl+C to copy it.`);
}
