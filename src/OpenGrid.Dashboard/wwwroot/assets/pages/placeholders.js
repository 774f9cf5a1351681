// Market and Earnings/Balance: their APIs arrive with the marketplace and payments work. The pages and the
// navigation are in place so the layout does not move when they land.
import { h } from '../dom.js';
import { pageHeader } from './common.js';

function placeholder(heading, lead, items) {
  return (main) => {
    main.append(
      pageHeader(heading),
      h('div', { class: 'card card--center placeholder-page', 'data-testid': 'placeholder' },
        h('p', { class: 'lead' }, lead),
        h('ul', { class: 'plain' }, items.map((item) => h('li', {}, item))),
        h('p', { class: 'muted' }, 'Until then: see ', h('a', { href: '/ui/providers' }, 'the providers'), ' and ', h('a', { href: '/ui/jobs' }, 'your jobs'), '.')));
  };
}

export const market = {
  title: 'Market',
  render: placeholder('Market', 'The market arrives with the marketplace work: offers, bids and matching.', [
    'Order book depth per resource class',
    'Recent clearing prices (a chart)',
  ]),
};

export const earnings = {
  title: 'Earnings and balance',
  render: placeholder('Earnings and balance', 'Earnings and balances arrive with the payments work: escrow on chain, settled in a USDC-like token.', [
    'Requester: escrow balance, locked and refunded amounts, deposit',
    'Provider: earnings, bond, history, withdraw',
  ]),
};
