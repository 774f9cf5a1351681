// Ethereum transactions built and signed in the browser, for the Balance page's deposit and withdraw: RLP, ABI call
// data for the few calls the coordinator relays, and EIP-1559 (type 2) or legacy EIP-155 transactions signed with the
// user's key over secp256k1 (the vendored noble libraries, as auth.js uses them). Nothing here talks to the network;
// the page sends the signed bytes to POST /v1/chain/transactions. Integers are BigInt throughout.
import * as secp from './vendor/noble-secp256k1/index.js';
import { keccak_256 } from './vendor/noble-hashes/sha3.js';
import { sha256 } from './vendor/noble-hashes/sha2.js';
import { hmac } from './vendor/noble-hashes/hmac.js';

// RFC 6979 deterministic signatures with noble's own SHA-256/HMAC (WebCrypto is missing outside secure contexts).
secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

const utf8 = new TextEncoder();

/** Bytes as 0x-prefixed lowercase hex. */
export function toHex(bytes) {
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 0x-prefixed (or bare) hex as bytes; throws on an odd length or a non-hex character. */
export function fromHex(hex) {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new Error(`“${hex}” is not hex bytes`);
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(body.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A non-negative integer as big-endian bytes without leading zeros (0 → empty), as RLP wants it. */
export function intBytes(value) {
  let n = BigInt(value);
  if (n < 0n) throw new Error('RLP integers cannot be negative');
  const out = [];
  while (n > 0n) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from(out);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function lengthPrefix(length, shortBase) {
  if (length < 56) return Uint8Array.of(shortBase + length);
  const len = intBytes(length);
  return concat(Uint8Array.of(shortBase + 55 + len.length), len);
}

/**
 * Recursive Length Prefix encoding (Ethereum yellow paper, appendix B) of a Uint8Array (a byte string), a BigInt
 * (minimal big-endian bytes) or an array of those.
 */
export function rlp(item) {
  if (Array.isArray(item)) {
    const body = concat(...item.map(rlp));
    return concat(lengthPrefix(body.length, 0xc0), body);
  }
  const bytes = typeof item === 'bigint' ? intBytes(item) : item;
  if (!(bytes instanceof Uint8Array)) throw new Error('RLP encodes byte strings, BigInts and lists of them');
  if (bytes.length === 1 && bytes[0] < 0x80) return bytes;
  return concat(lengthPrefix(bytes.length, 0x80), bytes);
}

/** keccak256 of bytes. */
export function keccak(bytes) {
  return keccak_256(bytes);
}

/** The 4-byte function selector of a Solidity signature such as "deposit(uint256)". */
export function selector(signature) {
  return keccak_256(utf8.encode(signature)).subarray(0, 4);
}

function word(value) {
  const out = new Uint8Array(32);
  if (typeof value === 'bigint') {
    const bytes = intBytes(value);
    if (bytes.length > 32) throw new Error('a uint256 has at most 32 bytes');
    out.set(bytes, 32 - bytes.length);
  } else {
    const address = fromHex(value);
    if (address.length !== 20) throw new Error(`“${value}” is not a 20-byte address`);
    out.set(address, 12);
  }
  return out;
}

/** ABI call data: the selector, then one 32-byte word per argument (BigInt → uint256, "0x…" → address). */
export function callData(signature, ...args) {
  return concat(selector(signature), ...args.map(word));
}

/** The calls the Balance page makes (what the coordinator relays). */
export const calls = {
  approve: (spender, amount) => callData('approve(address,uint256)', spender, amount),
  deposit: (amount) => callData('deposit(uint256)', amount),
  withdraw: (amount) => callData('withdraw(uint256)', amount),
  withdrawEarnings: () => callData('withdrawEarnings()'),
};

function signDigest(digest, privateKey) {
  const recovered = secp.sign(digest, privateKey, { prehash: false, format: 'recovered' }); // recovery ‖ r ‖ s, low s
  return {
    recovery: BigInt(recovered[0]),
    r: BigInt(toHex(recovered.subarray(1, 33))),
    s: BigInt(toHex(recovered.subarray(33, 65))),
  };
}

/**
 * An EIP-1559 (type 2) transaction, signed: 0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
 * gasLimit, to, value, data, accessList, yParity, r, s]), as 0x-prefixed hex. The digest is keccak256 of the same
 * without the signature.
 */
export function signEip1559({ chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value = 0n, data }, privateKey) {
  const fields = [BigInt(chainId), BigInt(nonce), BigInt(maxPriorityFeePerGas), BigInt(maxFeePerGas), BigInt(gasLimit),
    fromHex(to), BigInt(value), data, []];
  const digest = keccak_256(concat(Uint8Array.of(2), rlp(fields)));
  const { recovery, r, s } = signDigest(digest, privateKey);
  return toHex(concat(Uint8Array.of(2), rlp([...fields, recovery, r, s])));
}

/**
 * A legacy transaction with EIP-155 replay protection, signed: rlp([nonce, gasPrice, gasLimit, to, value, data, v, r,
 * s]) with v = recovery + chainId × 2 + 35; the digest is keccak256(rlp([… data, chainId, 0, 0])).
 */
export function signLegacy({ chainId, nonce, gasPrice, gasLimit, to, value = 0n, data }, privateKey) {
  const fields = [BigInt(nonce), BigInt(gasPrice), BigInt(gasLimit), fromHex(to), BigInt(value), data];
  const digest = keccak_256(rlp([...fields, BigInt(chainId), 0n, 0n]));
  const { recovery, r, s } = signDigest(digest, privateKey);
  return toHex(rlp([...fields, recovery + BigInt(chainId) * 2n + 35n, r, s]));
}

/** The transaction hash of signed bytes (what the chain and block explorers call it). */
export function transactionHash(raw) {
  return toHex(keccak_256(fromHex(raw)));
}
