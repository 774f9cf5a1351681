// Token amounts. The API writes them as decimal strings with exactly 6 decimals ("1.500000" USDC); in between they
// are whole base units as BigInt (1 USDC = 1 000 000). Never a float: a float cannot hold every amount exactly, and
// the user must see exactly what the API said. Charts turn base units into numbers only to place marks.

export const Decimals = 6;
const scale = 10n ** BigInt(Decimals);

/**
 * Base units from a decimal amount: "10" → 10000000n, "0.25" → 250000n. Throws an Error whose message says what is
 * wrong (empty, not a number, negative, more than 6 decimals) and what would be right.
 */
export function parseAmount(text) {
  const value = String(text ?? '').trim();
  if (value === '') throw new Error('enter an amount, e.g. 10 or 0.25');
  const m = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/.exec(value);
  if (!m) throw new Error(`“${value}” is not an amount: use digits and at most one decimal point, e.g. 10 or 0.25`);
  const whole = m[1] ?? '0';
  const fraction = m[2] ?? m[3] ?? '';
  if (fraction.length > Decimals) throw new Error(`at most ${Decimals} decimals: the smallest amount is 0.000001`);
  return BigInt(whole) * scale + BigInt(fraction.padEnd(Decimals, '0'));
}

/** 1500000n → "1.500000", the way the API writes amounts. */
export function formatAmount(units) {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  return `${sign}${abs / scale}.${(abs % scale).toString().padStart(Decimals, '0')}`;
}

/** 1500000n → "1.5", 20000n → "0.02": short labels for chart axes, still exact. */
export function shortAmount(units) {
  return formatAmount(units).replace(/\.?0+$/, '');
}

/**
 * What the escrow releases for an attempt that ran `ms` milliseconds at `pricePerHour` (the API's decimal string), in
 * base units, as EscrowRules.PayFor over SettlementLedger.VerifiedSeconds: whole seconds rounded up, at least 1 and at
 * most `maxSeconds` (the timeout), times the price, divided by 3600 and rounded down. All BigInt.
 */
export function payFor(pricePerHour, ms, maxSeconds) {
  return (billedSeconds(ms, maxSeconds) * parseAmount(pricePerHour)) / 3600n;
}

/** The whole seconds the escrow pays for `ms` milliseconds: rounded up, at least 1, at most `maxSeconds`. BigInt. */
export function billedSeconds(ms, maxSeconds) {
  const whole = (BigInt(Math.max(0, Math.trunc(ms))) + 999n) / 1000n;
  const cap = BigInt(Math.max(1, Math.ceil(maxSeconds)));
  return whole < 1n ? 1n : whole > cap ? cap : whole;
}

/** An amount as shown on a page: the API's string as it is, and the unit. */
export function usdc(text) {
  return `${text} USDC`;
}
