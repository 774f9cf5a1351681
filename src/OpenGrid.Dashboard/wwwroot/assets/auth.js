// Sign-in with the account key, in the browser: the key is parsed and used here to sign the coordinator's challenge
// (EIP-191 personal_sign over secp256k1, as `og` does with Nethereum), and is never sent anywhere or stored.
// Crypto comes from the vendored, audited noble libraries (assets/vendor/, see docs/adr/0006-dashboard.md). The
// synchronous signer with noble's own SHA-256/HMAC is used on purpose: WebCrypto (crypto.subtle) exists only in
// secure contexts, and a coordinator on a LAN address over plain HTTP is not one.
import * as secp from './vendor/noble-secp256k1/index.js';
import { keccak_256 } from './vendor/noble-hashes/sha3.js';
import { sha256 } from './vendor/noble-hashes/sha2.js';
import { hmac } from './vendor/noble-hashes/hmac.js';
import { api } from './api.js';

secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

const utf8 = new TextEncoder();

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The 32-byte private key from what the user gave: hex (with or without 0x) or the text of ~/.opengrid/key.json.
 * Throws an Error whose message says what is wrong and what would be right.
 */
export function parseKey(text) {
  let hex = (text ?? '').trim();
  if (hex.startsWith('{')) {
    let json;
    try {
      json = JSON.parse(hex);
    } catch {
      throw new Error('that file is not valid JSON; choose the key.json that og created (~/.opengrid/key.json)');
    }
    if (typeof json.privateKey !== 'string')
      throw new Error('that JSON has no "privateKey"; choose the key.json that og created (~/.opengrid/key.json)');
    hex = json.privateKey.trim();
  }
  if (hex.startsWith('0x') || hex.startsWith('0X')) hex = hex.slice(2);
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new Error('a private key is 64 hexadecimal characters (32 bytes), optionally starting with 0x');
  const key = secp.etc.hexToBytes(hex.toLowerCase());
  if (!secp.utils.isValidSecretKey(key)) throw new Error('that is not a valid secp256k1 private key');
  return key;
}

/** The account's Ethereum address, 0x-prefixed lowercase hex (as the coordinator writes it). */
export function addressOf(privateKey) {
  const publicKey = secp.getPublicKey(privateKey, false); // 65 bytes: 0x04 ‖ x ‖ y
  return '0x' + toHex(keccak_256(publicKey.subarray(1)).subarray(12));
}

/** EIP-191 personal_sign: keccak256("\x19Ethereum Signed Message:\n" + byteLength + message), r ‖ s ‖ v (v = 27|28). */
export function personalSign(message, privateKey) {
  const body = utf8.encode(message);
  const prefix = utf8.encode(`\x19Ethereum Signed Message:\n${body.length}`);
  const digest = keccak_256(secp.etc.concatBytes(prefix, body));
  const recovered = secp.sign(digest, privateKey, { prehash: false, format: 'recovered' }); // recovery ‖ r ‖ s
  const signature = new Uint8Array(65);
  signature.set(recovered.subarray(1), 0);
  signature[64] = 27 + recovered[0];
  return '0x' + toHex(signature);
}

/** Challenge → local signature → token. Returns TokenResponse {token, address, expiresAt}. */
export async function signIn(privateKey) {
  const address = addressOf(privateKey);
  const { challenge } = await api('/v1/auth/challenge', { method: 'POST', body: { address } });
  const signature = personalSign(challenge, privateKey);
  return api('/v1/auth/token', { method: 'POST', body: { address, challenge, signature } });
}
