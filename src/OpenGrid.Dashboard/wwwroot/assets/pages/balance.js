// Balance (requester) and earnings (provider) of the signed-in account: GET /v1/balance, read from the chain by the
// coordinator, amounts shown exactly as the API writes them (6-decimal strings, never floats). Deposits and
// withdrawals are transactions the account signs with its own key (docs/payments.md); the coordinator never moves a
// requester's money and has no endpoint for them, and the page no longer holds the key after sign-in. So the forms
// check the amount against the balance and give the `og` command that signs and sends it.
// When the coordinator settles no payments (404 chain.not_configured) the page says so instead of showing an error.
import { api, ApiError } from '../api.js';
import { h, replace, facts, ident, notYet } from '../dom.js';
import { formatAmount, parseAmount, shortAmount, usdc } from '../money.js';
import { pageHeader, requireSignIn, errorBox, isAbort, refreshEvery, copyText } from './common.js';

export const title = 'Balance and earnings';

const RefreshMs = 15_000;
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function render(main, ctx) {
  const refresh = h('button', { type: 'button', class: 'button button--quiet', onclick: () => load() }, 'Refresh');
  main.append(pageHeader('Balance and earnings', refresh));
  if (!requireSignIn(main, 'see your balance and earnings')) {
    refresh.hidden = true;
    return;
  }
  const live = h('p', { class: 'live', 'data-testid': 'balance-live' }, 'Loading…');
  const body = h('div', { 'data-testid': 'balance-body' });
  const lead = h('p', { class: 'lead' }, 'Your money on this grid\'s chain: as a requester, what is in escrow to pay for jobs; as a provider, what your work earned.');
  main.append(lead, live, body);

  let balance = null;
  let chain = null;
  let amounts = null; // key → the element showing it; the page is built once and updated in place, so a refresh
  //                     neither moves focus nor wipes what the user is typing
  const stop = new AbortController(); // no chain now means none until the coordinator restarts: stop asking
  ctx.signal.addEventListener('abort', () => stop.abort());
  const load = refreshEvery(RefreshMs, fetchBalance, stop.signal);

  async function fetchBalance() {
    try {
      [balance, chain] = await Promise.all([
        api('/v1/balance', { signal: ctx.signal }),
        chain ? Promise.resolve(chain) : api('/v1/chain', { signal: ctx.signal }),
      ]);
      live.textContent = `Read from the chain at ${timeOfDay.format(new Date())}; refreshes every ${RefreshMs / 1000} s.`;
      show();
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.code === 'chain.not_configured') {
        stop.abort();
        live.textContent = '';
        lead.hidden = true;
        refresh.hidden = true;
        replace(body, paymentsOff());
        return;
      }
      live.textContent = `Could not read the balance (${error.message}); trying again in ${RefreshMs / 1000} s.`;
      if (!amounts) replace(body, errorBox(error, { 'data-testid': 'balance-error' }));
    }
  }

  function show() {
    if (!amounts) build();
    for (const [key, el] of Object.entries(amounts)) el.textContent = balance[key];
  }

  function build() {
    amounts = {};
    const amount = (label, key, hint) => h('div', { class: 'stat' },
      h('span', { class: 'stat__value stat__value--amount' },
        (amounts[key] = h('span', { 'data-testid': `amount-${key}` })), h('span', { class: 'stat__unit' }, ' USDC')),
      h('span', { class: 'stat__label' }, label),
      h('span', { class: 'stat__hint' }, hint));
    replace(body,
      h('section', { 'aria-labelledby': 'requester-h' },
        h('h2', { id: 'requester-h' }, 'Balance (requester)'),
        h('div', { class: 'stats', 'data-testid': 'requester-balance' },
          amount('Escrow available', 'available', 'withdrawable; new jobs are checked against it'),
          amount('Escrow locked', 'locked', 'held for jobs that are running'),
          amount('Wallet', 'wallet', 'tokens outside escrow'))),
      h('section', { 'aria-labelledby': 'provider-h' },
        h('h2', { id: 'provider-h' }, 'Earnings (provider)'),
        h('div', { class: 'stats', 'data-testid': 'provider-earnings' },
          amount('Earnings', 'earnings', 'paid for verified work, after the 1% fee; not yet withdrawn'),
          amount('Bonded', 'bonded', 'your stake as a provider'),
          amount('Unbonding', 'unbonding', 'stake on its way back to you'))),
      h('section', { 'aria-labelledby': 'move-h' }, h('h2', { id: 'move-h' }, 'Deposit and withdraw'), moneyForms(() => balance)),
      h('section', { 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'History'),
        notYet('History', 'Deposits, payments for jobs, refunds and withdrawals need an API that lists your escrow\'s events; until then og balance and a block explorer on the chain below show them.')),
      h('section', { 'aria-labelledby': 'chain-h' }, h('h2', { id: 'chain-h' }, 'Chain'),
        h('div', { class: 'card' }, facts([
          ['Account', ident(balance.address, 10, 6)],
          ['Chain id', chain.chainId],
          ['JSON-RPC', h('code', { class: 'ident ident--wrap' }, chain.rpcUrl)],
          ['Token', ident(chain.token, 10, 6)],
          ['Escrow', ident(chain.escrow, 10, 6)],
          ['Provider registry', ident(chain.registry, 10, 6)],
        ], { 'data-testid': 'chain' }))));
  }
}

function paymentsOff() {
  return h('div', { class: 'card card--center placeholder-page', 'data-testid': 'payments-off' },
    h('h2', {}, 'Payments are off on this coordinator'),
    h('p', {}, 'Jobs on this grid run without charge: there is no escrow to fill, nothing is locked while a job runs, and providers earn nothing here.'),
    h('p', { class: 'muted' }, 'Its operator switches payments on by pointing it at a chain (the setting ', h('code', {}, 'Coordinator:Chain:RpcUrl'), ', see docs/payments.md). ',
      h('code', {}, 'og dev'), ' does so with a local chain when anvil is installed.'));
}

/**
 * The deposit and withdraw forms. Each checks its amount (at most 6 decimals, not more than there is) against the
 * balance current() returns, and then gives the og command that signs and sends the transaction.
 */
function moneyForms(current) {
  const coordinator = location.origin + '/';
  return h('div', {},
    h('p', { class: 'muted' }, 'The coordinator never moves your money: deposits and withdrawals are transactions on the chain that your own key signs, and this page does not keep your key after sign-in. Check an amount here, then run the command it gives where your key is (~/.opengrid/key.json).'),
    h('div', { class: 'grid grid--2' },
      amountForm({
        id: 'deposit', legend: 'Deposit into escrow', label: 'Amount to deposit (USDC)', required: true,
        hint: 'From your wallet into escrow, where jobs are paid from.', button: 'Prepare deposit',
        check: (units) => {
          if (units === 0n) return 'deposit more than 0';
          const wallet = parseAmount(current().wallet);
          return units > wallet ? `your wallet holds ${usdc(current().wallet)}; deposit at most that` : null;
        },
        command: (units) => `og deposit ${shortAmount(units)} --coordinator ${coordinator}`,
      }),
      amountForm({
        id: 'withdraw', legend: 'Withdraw to your wallet', label: 'Amount to withdraw (USDC)', required: false,
        hint: 'Leave it empty to withdraw everything available and, as a provider, all your earnings.', button: 'Prepare withdrawal',
        check: (units) => {
          if (units === 0n) return 'withdraw more than 0, or leave the amount empty for everything';
          const available = parseAmount(current().available);
          return units > available ? `escrow has ${usdc(current().available)} available; withdraw at most that` : null;
        },
        command: (units) => `og withdraw${units === null ? '' : ` ${shortAmount(units)}`} --coordinator ${coordinator}`,
      })));
}

function amountForm({ id, legend, label, hint, required, button, check, command }) {
  const input = h('input', {
    id: `${id}-amount`, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': `${id}-hint ${id}-error`, required, 'data-testid': `${id}-amount`,
  });
  const error = h('p', { id: `${id}-error`, class: 'field__error', 'data-testid': `${id}-error` });
  const result = h('div', { class: 'command', 'aria-live': 'polite', 'data-testid': `${id}-command` });
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': `${id}-legend` },
    h('h3', { id: `${id}-legend` }, legend),
    h('div', { class: 'field' },
      h('label', { for: input.id }, label),
      h('p', { id: `${id}-hint`, class: 'hint' }, hint),
      input, error),
    h('button', { type: 'submit', class: 'button' }, button),
    result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    replace(result);
    const problem = validate();
    error.textContent = problem ?? '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      input.focus();
      return;
    }
    const units = input.value.trim() === '' ? null : parseAmount(input.value);
    const text = command(units);
    const code = h('code', { class: 'command__text' }, text);
    replace(result,
      h('p', {}, units === null ? 'To withdraw everything, run:' : `To move ${usdc(formatAmount(units))}, run:`),
      h('pre', { class: 'command__box', tabindex: '0', 'aria-label': 'Command to run' }, code),
      h('button', { type: 'button', class: 'button button--quiet', onclick: () => copyText(code) }, 'Copy command'));
  });
  return form;

  function validate() {
    if (input.value.trim() === '' && !required) return null;
    try {
      return check(parseAmount(input.value));
    } catch (e) {
      return e.message;
    }
  }
}
