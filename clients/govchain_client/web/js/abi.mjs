/**
 * Just enough of the Solidity ABI to call the registries' view functions: static
 * arguments (address, uint, bytes32) in, static words and strings out.
 *
 * @module abi
 */

import { fromHex } from "./bytes.mjs";
import { SELECTORS } from "./selectors.mjs";

const WORD = 32;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Return data that does not have the expected ABI shape. */
export class AbiDecodeError extends Error {}

/**
 * @param {string} address `0x` + 40 hex
 * @returns {string} 64 hex digits
 */
export function encodeAddress(address) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new TypeError(`${address} is not a 20-byte address`);
  return address.slice(2).toLowerCase().padStart(2 * WORD, "0");
}

/**
 * @param {number | bigint} value
 * @returns {string} 64 hex digits
 */
export function encodeUint(value) {
  const big = BigInt(value);
  if (big < 0n || big >= 1n << 256n) throw new RangeError("uint out of range");
  return big.toString(16).padStart(2 * WORD, "0");
}

/**
 * @param {string} hex 64 hex digits, optionally `0x`-prefixed
 * @returns {string}
 */
export function encodeBytes32(hex) {
  const digits = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) throw new TypeError("bytes32 must be 32 bytes");
  return digits.toLowerCase();
}

/**
 * `0x` + selector + static argument words.
 * @param {keyof typeof SELECTORS} signature
 * @param {...string} words
 * @returns {string}
 */
export function callData(signature, ...words) {
  return `0x${SELECTORS[signature]}${words.join("")}`;
}

/**
 * The bytes of `0x…` return data.
 * @param {unknown} hex
 * @returns {Uint8Array}
 */
export function returnBytes(hex) {
  if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new AbiDecodeError("return data is not 0x-prefixed hex");
  }
  return fromHex(hex.slice(2));
}

/**
 * The first `count` 32-byte words.
 * @param {Uint8Array} data
 * @param {number} count
 * @returns {Uint8Array[]}
 */
export function words(data, count) {
  if (data.length < count * WORD) {
    throw new AbiDecodeError(`expected at least ${count} words, got ${data.length} bytes`);
  }
  return Array.from({ length: count }, (_, i) => data.subarray(i * WORD, (i + 1) * WORD));
}

/**
 * @param {Uint8Array} word
 * @returns {bigint}
 */
export function decodeUint(word) {
  let value = 0n;
  for (const byte of word) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * A uint word as a JavaScript number; refused beyond 2^53-1.
 * @param {Uint8Array} word
 * @returns {number}
 */
export function decodeSafeUint(word) {
  const value = decodeUint(word);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new AbiDecodeError("integer beyond 2^53-1");
  return Number(value);
}

/**
 * A uint64 word, saturated at 2^53-1 (for "never ends" sentinels such as uint64 max).
 * @param {Uint8Array} word
 * @returns {number}
 */
export function decodeSaturatedUint(word) {
  const value = decodeUint(word);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * @param {Uint8Array} word
 * @returns {string}
 */
export function decodeAddress(word) {
  if (word.subarray(0, 12).some((byte) => byte !== 0)) throw new AbiDecodeError("address word has non-zero padding");
  return `0x${[...word.subarray(12)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * @param {Uint8Array} word
 * @returns {boolean}
 */
export function decodeBool(word) {
  const value = decodeUint(word);
  if (value > 1n) throw new AbiDecodeError("bool word is neither 0 nor 1");
  return value === 1n;
}

/**
 * A dynamic `string` whose length word is at `offset` bytes into `data`.
 * @param {Uint8Array} data
 * @param {number} offset
 * @returns {string}
 */
export function decodeString(data, offset) {
  if (offset > data.length) throw new AbiDecodeError("string offset runs past the end");
  const [lengthWord] = words(data.subarray(offset), 1);
  const length = decodeUint(lengthWord);
  const start = offset + WORD;
  if (length > BigInt(data.length - start)) throw new AbiDecodeError("string runs past the end of the return data");
  try {
    return UTF8.decode(data.subarray(start, start + Number(length)));
  } catch {
    throw new AbiDecodeError("string is not UTF-8");
  }
}

/**
 * The body of a tuple returned as the single dynamic return value (an offset word first).
 * @param {Uint8Array} data
 * @returns {Uint8Array}
 */
export function tupleBody(data) {
  const [offsetWord] = words(data, 1);
  const offset = decodeUint(offsetWord);
  if (offset > BigInt(data.length)) throw new AbiDecodeError("tuple offset runs past the end of the return data");
  return data.subarray(Number(offset));
}
