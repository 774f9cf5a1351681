// Job authorizations signed in the browser: with payments on, a job needs its requester's EIP-712 JobAuthorization for
// the escrow (docs/payments.md), computed exactly as src/OpenGrid.Protocol/Escrow/JobAuthorizationSigning.cs and
// contracts/JobEscrow.sol do, with the vendored noble libraries. The terms (the least maxRatePerHour and maxTotal,
// the spec's hash, the chain and escrow) come from the coordinator's escrow.authorization_missing answer; the spec
// hash is recomputed here from the text being submitted, so the signature binds exactly that text. The key signs here
// and is never sent anywhere.
import * as secp from './vendor/noble-secp256k1/index.js';
import { keccak_256 } from './vendor/noble-hashes/sha3.js';
import { sha256 } from './vendor/noble-hashes/sha2.js';
import { hmac } from './vendor/noble-hashes/hmac.js';
import { parseAmount } from './money.js';

secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

const utf8 = new TextEncoder();
const authorizationType = 'JobAuthorization(bytes32 job,uint128 maxRatePerHour,uint128 maxTotal,uint64 deadline)';
const domainType = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

/** How long after signing leases of the job may still open (retries included), as og submit signs: 30 days. */
export const LifetimeSeconds = 30 * 24 * 3600;

function hex(bytes) {
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesOf(text, length, what) {
  if (typeof text !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(text))
    throw new Error(`${what} is not 0x and ${2 * length} hex digits`);
  return secp.etc.hexToBytes(text.slice(2).toLowerCase());
}

function uintWord(value) {
  const n = BigInt(value);
  if (n < 0n || n >= 1n << 256n) throw new Error('a uint256 is between 0 and 2^256 - 1');
  return secp.etc.hexToBytes(n.toString(16).padStart(64, '0'));
}

function addressWord(text) {
  const out = new Uint8Array(32);
  out.set(bytesOf(text, 20, 'the escrow address'), 12);
  return out;
}

function hashStruct(type, words) {
  return keccak_256(secp.etc.concatBytes(keccak_256(utf8.encode(type)), ...words));
}

/** keccak256 of the spec text's UTF-8 bytes, as 0x-hex: the specHash receipts and authorizations carry. */
export function specHash(specText) {
  return hex(keccak_256(utf8.encode(specText)));
}

/** The job key: keccak256(specHash ‖ nonce), both 32 bytes. */
export function jobKey(specHashHex, nonce) {
  return keccak_256(secp.etc.concatBytes(bytesOf(specHashHex, 32, 'the spec hash'), nonce));
}

/** The EIP-712 digest of an authorization (fields as the wire writes them) in the escrow's domain. */
export function authorizationDigest(authorization, chainId, escrow) {
  const domain = hashStruct(domainType, [
    keccak_256(utf8.encode('OpenGrid')), keccak_256(utf8.encode('1')), uintWord(chainId), addressWord(escrow),
  ]);
  const struct = hashStruct(authorizationType, [
    bytesOf(authorization.job, 32, 'authorization.job'),
    uintWord(parseAmount(authorization.maxRatePerHour)),
    uintWord(parseAmount(authorization.maxTotal)),
    uintWord(authorization.deadline),
  ]);
  return keccak_256(secp.etc.concatBytes(Uint8Array.of(0x19, 0x01), domain, struct));
}

/**
 * Signs the authorization the coordinator's terms ask for (`problem.authorization` of escrow.authorization_missing)
 * for `specText`, with a fresh random nonce and a deadline LifetimeSeconds from `nowMs`. Returns the wire form for
 * POST /v1/jobs: { job, nonce, maxRatePerHour, maxTotal, deadline, signature }. Throws when the terms name another
 * spec text than the one being submitted.
 */
export function signAuthorization(terms, specText, privateKey, nowMs = Date.now()) {
  const hash = specHash(specText);
  if (terms.specHash !== hash) throw new Error(`the coordinator asked to authorize spec ${terms.specHash}, but this spec hashes to ${hash}`);
  const nonce = crypto.getRandomValues(new Uint8Array(32));
  const authorization = {
    job: hex(jobKey(hash, nonce)),
    nonce: hex(nonce),
    maxRatePerHour: terms.maxRatePerHour,
    maxTotal: terms.maxTotal,
    deadline: Math.floor(nowMs / 1000) + LifetimeSeconds,
  };
  const digest = authorizationDigest(authorization, terms.chainId, terms.escrow);
  const recovered = secp.sign(digest, privateKey, { prehash: false, format: 'recovered' }); // recovery ‖ r ‖ s, low s
  const signature = new Uint8Array(65);
  signature.set(recovered.subarray(1), 0);
  signature[64] = 27 + recovered[0];
  return { ...authorization, signature: hex(signature) };
}
