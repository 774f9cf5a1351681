// Balance (requester) and earnings (provider) of the signed-in account: GET /v1/balance, read from the chain by the
// coordinator, amounts shown exactly as the API writes them (6-decimal strings, never floats), and the escrow's
// history (GET /v1/balance/history). Deposits and withdrawals are transactions the account signs with its own key
// (docs/payments.md): the page asks for the key, builds and signs each transaction here (ethtx.js) and hands the
// signed bytes to the coordinator's relay (POST /v1/chain/transactions), which checks and forwards them; the key never
// leaves the tab and is forgotten once signed. The `og` command that does the same stays on offer.
// When the coordinator settles no payments (404 chain.not_configured) the page says so instead of showing an error.
import { api, ApiError, session } from '../api.js';
import { h, replace, facts, ident, table, time, announce } from '../dom.js';
import { formatAmount, parseAmount, shortAmount, usdc } from '../money.js';
import { parseKey, addressOf } from '../auth.js';
import { calls, signEip1559, signLegacy } from '../ethtx.js';
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
  let history = null; // the history's element and the events it shows, redrawn only when they change
  let amounts = null; // key → the element showing it; the page is built once and updated in place, so a refresh
  //                     neither moves focus nor wipes what the user is typing
  const stop = new AbortController(); // no chain now means none until the coordinator restarts: stop asking
  ctx.signal.addEventListener('abort', () => stop.abort());
  const load = refreshEvery(RefreshMs, fetchBalance, stop.signal);

  async function fetchBalance() {
    try {
      let events;
      [balance, chain, events] = await Promise.all([
        api('/v1/balance', { signal: ctx.signal }),
        chain ? Promise.resolve(chain) : api('/v1/chain', { signal: ctx.signal }),
        api('/v1/balance/history', { signal: ctx.signal }),
      ]);
      live.textContent = `Read from the chain at ${timeOfDay.format(new Date())}; refreshes every ${RefreshMs / 1000} s.`;
      show();
      showHistory(events.events);
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

  function showHistory(events) {
    const text = JSON.stringify(events);
    if (history.text === text) return;
    history.text = text;
    replace(history.el, events.length === 0
      ? h('p', { class: 'muted' }, 'No deposits, withdrawals or payments yet.')
      : table(['When', 'Event', 'Amount', 'Job', 'Transaction'], events.map((e) => [
        time(e.at),
        eventLabels[e.kind] ?? e.kind,
        usdc(e.amount),
        e.jobId ? h('a', { href: `/ui/jobs/${e.jobId}` }, ident(e.jobId, 8, 4)) : e.leaseId ? h('span', { class: 'muted', title: `escrow lease ${e.leaseId}` }, 'another coordinator\'s lease') : '—',
        ident(e.txHash, 10, 6),
      ]), 'Escrow history, newest first', { 'data-testid': 'history-table' }));
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
      h('section', { 'aria-labelledby': 'move-h' }, h('h2', { id: 'move-h' }, 'Deposit and withdraw'), moneyForms(() => balance, () => load())),
      h('section', { 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'History'),
        h('p', { class: 'hint' }, 'Your escrow\'s events on the chain, newest first: deposits and withdrawals, what jobs locked and got back, and what your work earned.'),
        (history = { el: h('div', { 'data-testid': 'history' }), text: null }).el),
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

const eventLabels = {
  deposited: 'Deposited',
  withdrawn: 'Withdrawn',
  lease_opened: 'Locked for a job',
  lease_closed: 'Refunded (lease closed)',
  released: 'Earned (after the fee)',
  earnings_withdrawn: 'Earnings withdrawn',
};

// Gas each call may use at most (docs/payments.md measures deposit at 76 712, withdrawEarnings at 58 482); what is not
// used is not paid.
const gasLimits = { approve: 100_000n, deposit: 150_000n, withdraw: 150_000n, withdrawEarnings: 150_000n };

const stepNames = {
  approve: 'Approve the escrow to take the amount from your wallet',
  deposit: 'Deposit into escrow',
  withdraw: 'Withdraw from escrow',
  withdrawEarnings: 'Withdraw your earnings',
};

/**
 * The deposit and withdraw forms and the key that signs them. Each form checks its amount (at most 6 decimals, not
 * more than there is) against the balance current() returns, then either signs and relays its transactions one after
 * the other, showing each step, and calls refreshed(); or gives the og command that does the same.
 */
function moneyForms(current, refreshed) {
  const coordinator = location.origin + '/';
  const keyInput = h('input', {
    id: 'signing-key', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'signing-key-hint signing-key-error',
    'data-testid': 'signing-key',
  });
  const keyFile = h('input', { type: 'file', id: 'signing-key-file', accept: '.json,application/json', 'data-testid': 'signing-key-file' });
  const keyError = h('p', { id: 'signing-key-error', class: 'field__error', 'data-testid': 'signing-key-error' });
  keyFile.addEventListener('change', async () => {
    const file = keyFile.files[0];
    if (file) keyInput.value = (await file.text()).trim();
    keyFile.value = '';
  });
  const busy = { on: false };

  /** The key, checked to be the signed-in account's; null (and the reason shown) otherwise. Clears the field. */
  function takeKey() {
    let key;
    try {
      key = parseKey(keyInput.value);
    } catch (e) {
      keyError.textContent = e.message;
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return null;
    }
    const signedIn = session.get()?.address;
    if (addressOf(key) !== signedIn) {
      keyError.textContent = `that key is account ${addressOf(key)}, but you are signed in as ${signedIn}; use the key you signed in with`;
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return null;
    }
    keyError.textContent = '';
    keyInput.setAttribute('aria-invalid', 'false');
    keyInput.value = '';
    return key;
  }

  return h('div', {},
    h('p', { class: 'muted' }, 'The coordinator never moves your money and never sees your key: this page signs each transaction with your key, here in the tab, and the coordinator only passes the signed transaction on to the chain (it refuses anything but your own deposit and withdrawal). Your account pays the gas, in ETH. The key is forgotten as soon as it has signed.'),
    h('div', { class: 'card signing-key' },
      h('div', { class: 'field' },
        h('label', { for: keyInput.id }, 'Your account key (signs the transactions)'),
        h('p', { id: 'signing-key-hint', class: 'hint' }, 'The privateKey from ~/.opengrid/key.json, the key you signed in with. It stays in this tab.'),
        keyInput, keyError),
      h('div', { class: 'field' }, h('label', { for: keyFile.id }, 'or load key.json'), keyFile)),
    h('div', { class: 'grid grid--2' },
      amountForm({
        id: 'deposit', legend: 'Deposit into escrow', label: 'Amount to deposit (USDC)', required: true,
        hint: 'From your wallet into escrow, where jobs are paid from: an approval, then the deposit.', button: 'Deposit', busy,
        check: (units) => {
          if (units === 0n) return 'deposit more than 0';
          const wallet = parseAmount(current().wallet);
          return units > wallet ? `your wallet holds ${usdc(current().wallet)}; deposit at most that` : null;
        },
        steps: (units) => [
          { call: 'approve', data: (c) => calls.approve(c.escrow, units), to: (c) => c.token },
          { call: 'deposit', data: () => calls.deposit(units), to: (c) => c.escrow },
        ],
        takeKey, refreshed,
        command: (units) => `og deposit ${shortAmount(units)} --coordinator ${coordinator}`,
      }),
      amountForm({
        id: 'withdraw', legend: 'Withdraw to your wallet', label: 'Amount to withdraw (USDC)', required: false,
        hint: 'Leave it empty to withdraw everything available and, as a provider, all your earnings.', button: 'Withdraw', busy,
        check: (units) => {
          if (units === 0n) return 'withdraw more than 0, or leave the amount empty for everything';
          const available = parseAmount(current().available);
          if (units === null) {
            return available === 0n && parseAmount(current().earnings) === 0n ? 'there is nothing to withdraw: no escrow available and no earnings' : null;
          }
          return units > available ? `escrow has ${usdc(current().available)} available; withdraw at most that` : null;
        },
        steps: (units) => {
          if (units !== null) return [{ call: 'withdraw', data: () => calls.withdraw(units), to: (c) => c.escrow }];
          const available = parseAmount(current().available);
          const earnings = parseAmount(current().earnings);
          return [
            available > 0n ? { call: 'withdraw', data: () => calls.withdraw(available), to: (c) => c.escrow, amount: available } : null,
            earnings > 0n ? { call: 'withdrawEarnings', data: () => calls.withdrawEarnings(), to: (c) => c.escrow, amount: earnings } : null,
          ].filter(Boolean);
        },
        takeKey, refreshed,
        command: (units) => `og withdraw${units === null ? '' : ` ${shortAmount(units)}`} --coordinator ${coordinator}`,
      })));
}

function amountForm({ id, legend, label, hint, required, button, busy, check, steps, takeKey, refreshed, command }) {
  const input = h('input', {
    id: `${id}-amount`, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': `${id}-hint ${id}-error`, required, 'data-testid': `${id}-amount`,
  });
  const error = h('p', { id: `${id}-error`, class: 'field__error', 'data-testid': `${id}-error` });
  const progress = h('ol', { class: 'tx-steps', 'aria-live': 'polite', 'data-testid': `${id}-steps` });
  const result = h('div', { class: 'command', 'aria-live': 'polite', 'data-testid': `${id}-command` });
  const send = h('button', { type: 'submit', class: 'button' }, button);
  const prepare = h('button', { type: 'button', class: 'button button--quiet', onclick: () => showCommand() }, 'Show the og command instead');
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': `${id}-legend`, 'data-testid': `${id}-form` },
    h('h3', { id: `${id}-legend` }, legend),
    h('div', { class: 'field' },
      h('label', { for: input.id }, label),
      h('p', { id: `${id}-hint`, class: 'hint' }, hint),
      input, error),
    h('div', { class: 'actions' }, send, prepare),
    progress,
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy.on) return;
    replace(result);
    const units = checked();
    if (units === undefined) return;
    const key = takeKey();
    if (!key) return;
    busy.on = true;
    send.disabled = true;
    try {
      await run(steps(units), key);
    } finally {
      key.fill(0);
      busy.on = false;
      send.disabled = false;
      refreshed();
    }
  });
  return form;

  /** The amount in base units (null: empty, allowed), or undefined when it is wrong (and the reason is shown). */
  function checked() {
    let problem;
    let units = null;
    try {
      if (input.value.trim() !== '' || required) units = parseAmount(input.value);
      problem = check(units);
    } catch (e) {
      problem = e.message;
    }
    error.textContent = problem ?? '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      input.focus();
      return undefined;
    }
    return units;
  }

  function showCommand() {
    replace(result);
    const units = checked();
    if (units === undefined) return;
    const text = command(units);
    const code = h('code', { class: 'command__text' }, text);
    replace(result,
      h('p', {}, units === null ? 'To withdraw everything, run:' : `To move ${usdc(formatAmount(units))}, run:`),
      h('pre', { class: 'command__box', tabindex: '0', 'aria-label': 'Command to run' }, code),
      h('button', { type: 'button', class: 'button button--quiet', onclick: () => copyText(code) }, 'Copy command'));
  }

  /** Signs and relays each step in turn; stops at the first that fails, saying why. */
  async function run(plan, key) {
    const items = plan.map((step) => {
      const status = h('span', { class: 'tx-steps__status' }, 'waiting');
      const li = h('li', { 'data-testid': `${id}-step-${step.call}`, 'data-state': 'waiting' },
        h('span', {}, stepNames[step.call], step.amount ? ` (${usdc(formatAmount(step.amount))})` : ''), ' — ', status);
      return { step, li, status };
    });
    replace(progress, items.map((i) => i.li));
    for (const [n, { step, li, status }] of items.entries()) {
      const mark = (state, ...text) => {
        li.dataset.state = state;
        replace(status, ...text);
      };
      try {
        mark('signing', 'signing…');
        const account = await api('/v1/chain/account');
        const gas = plan.slice(n).reduce((sum, s) => sum + gasLimits[s.call], 0n);
        const price = BigInt(account.baseFeePerGas != null ? account.maxFeePerGas : account.gasPrice);
        if (BigInt(account.gasBalance) < gas * price)
          throw new Error(`your account has ${account.gasBalance} wei of ETH for gas, and ${plan.length - n === 1 ? 'this transaction' : 'these transactions'} may cost up to ${gas * price} wei; send it some ETH first`);
        const tx = {
          chainId: BigInt(account.chainId), nonce: BigInt(account.nonce), gasLimit: gasLimits[step.call],
          to: step.to(account), value: 0n, data: step.data(account),
        };
        const raw = account.baseFeePerGas != null
          ? signEip1559({ ...tx, maxFeePerGas: BigInt(account.maxFeePerGas), maxPriorityFeePerGas: BigInt(account.maxPriorityFeePerGas) }, key)
          : signLegacy({ ...tx, gasPrice: BigInt(account.gasPrice) }, key);
        mark('sending', 'sent, waiting for the chain…');
        const done = await api('/v1/chain/transactions', { method: 'POST', body: { rawTransaction: raw } });
        mark('done', h('span', { class: 'ok' }, '✓ done'), ' in block ', String(done.blockNumber), ', transaction ',
          h('code', { class: 'ident ident--wrap', 'data-testid': `${id}-tx-${step.call}` }, done.txHash));
      } catch (e) {
        mark('failed', h('span', { class: 'field__error' }, `✗ ${e.message}`), e instanceof ApiError ? [' ', h('code', {}, e.code)] : null);
        for (const rest of items.slice(n + 1)) {
          rest.li.dataset.state = 'skipped';
          rest.status.textContent = 'not sent';
        }
        announce(`${legend}: failed. ${e.message}`);
        return;
      }
    }
    announce(`${legend}: done.`);
  }
}
