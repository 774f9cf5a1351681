// Receipts in the browser: the EIP-712 hash of a provider's signed receipt and the address its signature recovers,
// computed exactly as src/OpenGrid.Protocol/Receipts/ReceiptSigning.cs and contracts/ReceiptVerifier.sol do
// (docs/receipts.md), with the vendored noble libraries. This checks one thing — that the receipt's provider signed
// exactly this receipt in the pack's domain; `og verify` checks the rest (spec, inputs and outputs hashes, chains,
// output files, the verdict).
import * as secp from './vendor/noble-secp256k1/index.js';
import { keccak_256 } from './vendor/noble-hashes/sha3.js';

const utf8 = new TextEncoder();
const word = 32;
const two256 = 1n << 256n;
// secp256k1 group order / 2: a larger s is the malleable twin of a valid signature, refused as OpenZeppelin does.
const halfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

const receiptType = 'Receipt(string jobId,uint32 attempt,uint64 epoch,bytes32 specHash,bytes32 runtimeDigest,bytes32 inputsHash,'
  + 'bytes32 outputsHash,uint64 wallMs,uint64 cpuMs,uint64 gpuMs,uint64 peakMemoryBytes,int32 exitCode,'
  + 'uint64 timestamp,address provider,bytes32 prevReceiptHash)';
const domainType = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 0x-hex of exactly `length` bytes → bytes; throws naming the field otherwise. */
function hexBytes(text, length, what) {
  if (typeof text !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(text))
    throw new Error(`${what} is not 0x and ${2 * length} hex digits`);
  return secp.etc.hexToBytes(text.slice(2).toLowerCase());
}

/** An integer as a 32-byte big-endian word; a negative one (int32 exitCode) in two's complement. */
function uintWord(value, what) {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} is not an integer`);
  let n = BigInt(value);
  if (n < 0n) n += two256;
  return secp.etc.hexToBytes(n.toString(16).padStart(2 * word, '0'));
}

function stringWord(text) {
  return keccak_256(utf8.encode(String(text)));
}

function addressWord(text, what) {
  const out = new Uint8Array(word);
  out.set(hexBytes(text, 20, what), word - 20);
  return out;
}

function hashStruct(type, words) {
  return keccak_256(secp.etc.concatBytes(keccak_256(utf8.encode(type)), ...words));
}

/** hashStruct(Receipt): the receipt's hash, which the provider's next receipt carries as prevReceiptHash. */
function receiptStruct(r) {
  const u = r.usage ?? {};
  return hashStruct(receiptType, [
    stringWord(r.jobId),
    uintWord(r.attempt, 'attempt'),
    uintWord(r.epoch, 'epoch'),
    hexBytes(r.specHash, 32, 'specHash'),
    hexBytes(r.runtimeDigest, 32, 'runtimeDigest'),
    hexBytes(r.inputsHash, 32, 'inputsHash'),
    hexBytes(r.outputsHash, 32, 'outputsHash'),
    uintWord(u.wallMs, 'usage.wallMs'),
    uintWord(u.cpuMs, 'usage.cpuMs'),
    uintWord(u.gpuMs, 'usage.gpuMs'),
    uintWord(u.peakMemoryBytes, 'usage.peakMemoryBytes'),
    uintWord(r.exitCode, 'exitCode'),
    uintWord(r.timestamp, 'timestamp'),
    addressWord(r.provider, 'provider'),
    hexBytes(r.prevReceiptHash, 32, 'prevReceiptHash'),
  ]);
}

/** The receipt's hash as 0x-hex (ReceiptSigning.Hash). Throws an Error naming a malformed field. */
export function receiptHash(receipt) {
  return '0x' + toHex(receiptStruct(receipt));
}

function domainSeparator(d) {
  return hashStruct(domainType, [
    stringWord(d.name), stringWord(d.version), uintWord(d.chainId, 'domain.chainId'), addressWord(d.verifyingContract, 'domain.verifyingContract'),
  ]);
}

/**
 * The address (0x, lowercase) whose key signed the receipt in the domain, from the wire signature r ‖ s ‖ v; throws an
 * Error saying why when the receipt or signature is malformed (not 65 bytes, v not 27/28, s high, r not a point).
 */
export function recoverSigner(receipt, signature, domain) {
  const sig = hexBytes(signature, 65, 'the signature');
  const v = sig[64];
  if (v !== 27 && v !== 28) throw new Error('the signature\'s v is not 27 or 28');
  const s = BigInt('0x' + toHex(sig.subarray(32, 64)));
  if (s === 0n || s > halfOrder) throw new Error('the signature\'s s is zero or high (malleable)');
  const digest = keccak_256(secp.etc.concatBytes(Uint8Array.of(0x19, 0x01), domainSeparator(domain), receiptStruct(receipt)));
  const recovered = secp.etc.concatBytes(Uint8Array.of(v - 27), sig.subarray(0, 64)); // recovery ‖ r ‖ s
  const publicKey = secp.recoverPublicKey(recovered, digest, { prehash: false, isCompressed: false });
  return '0x' + toHex(keccak_256(publicKey.subarray(1)).subarray(12));
}

/**
 * Checks one receipt's signature: {ok: true} when it recovers exactly the receipt's provider, else {ok: false, why}.
 */
export function checkSignature(receipt, signature, domain) {
  try {
    const signer = recoverSigner(receipt, signature, domain);
    return signer === String(receipt.provider).toLowerCase()
      ? { ok: true }
      : { ok: false, why: `it recovers ${signer}, not the receipt's provider` };
  } catch (error) {
    return { ok: false, why: error.message };
  }
}
