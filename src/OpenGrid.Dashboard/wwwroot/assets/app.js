// The dashboard shell: client-side routes under /ui, the account area in the header, and focus management.
// Every route is served the same index.html by the coordinator; pages are modules under pages/ that render into
// <main> and stop their work (fetches, event streams) when ctx.signal aborts, which happens on every navigation.
import { session } from './api.js';
import { h, replace, short } from './dom.js';
import * as jobs from './pages/jobs.js';
import * as jobDetail from './pages/job.js';
import * as submit from './pages/submit.js';
import * as providers from './pages/providers.js';
import * as signin from './pages/signin.js';
import * as market from './pages/market.js';
import * as balance from './pages/balance.js';

const notFound = {
  title: 'Not found',
  render(main) {
    main.append(
      h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'There is no dashboard page at this address. ', h('a', { href: '/ui/jobs' }, 'Go to your jobs'), '.'));
  },
};

const routes = [
  { pattern: /^\/(?:ui\/?)?$/, page: jobs, nav: 'jobs' },
  { pattern: /^\/ui\/jobs\/?$/, page: jobs, nav: 'jobs' },
  { pattern: /^\/ui\/jobs\/([^/]+)\/?$/, page: jobDetail, nav: 'jobs', names: ['id'] },
  { pattern: /^\/ui\/submit\/?$/, page: submit, nav: 'submit' },
  { pattern: /^\/ui\/providers\/?$/, page: providers, nav: 'providers' },
  { pattern: /^\/ui\/market\/?$/, page: market, nav: 'market' },
  { pattern: /^\/ui\/(?:balance|earnings)\/?$/, page: balance, nav: 'balance' },
  { pattern: /^\/ui\/signin\/?$/, page: signin },
];

let controller = null;

/** Goes to a dashboard URL without reloading the page. */
export function navigate(url, { replace: replaceEntry = false } = {}) {
  history[replaceEntry ? 'replaceState' : 'pushState'](null, '', url);
  render({ focus: true });
}

function match(pathname) {
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (m) {
      const params = Object.fromEntries((route.names ?? []).map((name, i) => [name, decodeURIComponent(m[i + 1])]));
      return { ...route, params };
    }
  }
  return { page: notFound, params: {} };
}

function render({ focus }) {
  controller?.abort();
  controller = new AbortController();
  const url = new URL(location.href);
  const route = match(url.pathname);

  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }

  const main = document.getElementById('main');
  main.replaceChildren();
  const ctx = { params: route.params, query: url.searchParams, signal: controller.signal, navigate };
  try {
    route.page.render(main, ctx);
  } catch (error) {
    main.append(h('h1', { tabindex: '-1' }, 'Something went wrong'), h('p', { class: 'alert alert--error', role: 'alert' }, String(error?.message ?? error)));
  }
  const title = typeof route.page.title === 'function' ? route.page.title(ctx) : route.page.title;
  document.title = `${title} · OpenGrid`;
  if (focus) (main.querySelector('h1') ?? main).focus();
}

function renderAccount() {
  const area = document.getElementById('account');
  const current = session.get();
  if (current) {
    replace(area,
      h('span', { class: 'account__address', title: current.address, 'data-testid': 'account-address' },
        h('span', { class: 'sr-only' }, 'Signed in as '), short(current.address, 6, 4)),
      h('button', { type: 'button', class: 'button button--quiet', 'data-testid': 'sign-out', onclick: signOut }, 'Sign out'));
  } else {
    const next = location.pathname.startsWith('/ui/signin') ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    replace(area, h('a', { class: 'button button--quiet', href: `/ui/signin${next}`, 'data-testid': 'sign-in-link' }, 'Sign in'));
  }
}

function signOut() {
  session.clear();
  navigate('/ui/signin');
}

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  const ours = url.pathname === '/' || url.pathname === '/ui' || url.pathname.startsWith('/ui/');
  if (url.origin !== location.origin || !ours || url.pathname.startsWith('/ui/assets/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => render({ focus: true }));
window.addEventListener('opengrid:session', renderAccount);
window.addEventListener('opengrid:expired', () => {
  const here = location.pathname + location.search;
  navigate(`/ui/signin?expired=1&next=${encodeURIComponent(here)}`, { replace: true });
});

renderAccount();
render({ focus: false });
