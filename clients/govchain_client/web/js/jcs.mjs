/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), byte for byte what
 * core/govchain_core/jcs.py writes: object members sorted by their UTF-16 code
 * units, no insignificant whitespace, strings escaped as ECMAScript's
 * `JSON.stringify` does, numbers written as `Number.prototype.toString` does.
 * Lone surrogates, NaN, Infinity, integers beyond ±(2^53-1) and nesting deeper
 * than 64 are refused. The output is part of the receipt format and must never
 * change.
 *
 * @module jcs
 */

import { CanonicalJSONError } from "./errors.mjs";
import { utf8 } from "./bytes.mjs";

export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
export const MAX_DEPTH = 64;

/** @type {Record<string, string>} */
const SHORT_ESCAPES = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * A JSON value as JavaScript holds it; `bigint` stands for an integer.
 * @typedef {null | boolean | number | bigint | string | JsonValue[] | {[key: string]: JsonValue}} JsonValue
 */

/**
 * The canonical text of a JSON value.
 * @param {unknown} value
 * @returns {string}
 */
export function canonicalText(value) {
  /** @type {string[]} */
  const out = [];
  write(value, out, 0);
  return out.join("");
}

/**
 * The canonical UTF-8 bytes of a JSON value.
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function canonicalize(value) {
  return utf8.encode(canonicalText(value));
}

/**
 * @param {unknown} value
 * @param {string[]} out
 * @param {number} depth
 */
function write(value, out, depth) {
  if (depth > MAX_DEPTH) throw new CanonicalJSONError(`nesting deeper than ${MAX_DEPTH}`);
  if (value === null) out.push("null");
  else if (value === true) out.push("true");
  else if (value === false) out.push("false");
  else if (typeof value === "string") out.push(quote(value));
  else if (typeof value === "bigint") out.push(integer(value));
  else if (typeof value === "number") out.push(formatNumber(value));
  else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, position) => {
      if (position) out.push(",");
      write(item, out, depth + 1);
    });
    out.push("]");
  } else if (typeof value === "object") {
    writeObject(/** @type {Record<string, unknown>} */ (value), out, depth);
  } else {
    throw new CanonicalJSONError(`${typeof value} is not a JSON value`);
  }
}

/**
 * @param {Record<string, unknown>} value
 * @param {string[]} out
 * @param {number} depth
 */
function writeObject(value, out, depth) {
  const keys = Object.keys(value);
  for (const key of keys) {
    if (!key.isWellFormed()) throw new CanonicalJSONError("object key contains a lone surrogate");
  }
  // Array.prototype.sort compares strings by UTF-16 code units, as RFC 8785 §3.2.3 asks.
  keys.sort();
  out.push("{");
  keys.forEach((key, position) => {
    if (position) out.push(",");
    out.push(quote(key), ":");
    write(value[key], out, depth + 1);
  });
  out.push("}");
}

/**
 * @param {string} text
 * @returns {string}
 */
function quote(text) {
  if (!text.isWellFormed()) throw new CanonicalJSONError("string contains a lone surrogate");
  let out = '"';
  for (const char of text) {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (char < " ") out += `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * @param {bigint} value
 * @returns {string}
 */
function integer(value) {
  const limit = BigInt(MAX_SAFE_INTEGER);
  if (value > limit || value < -limit) {
    throw new CanonicalJSONError(
      `integer ${value} is outside the IEEE 754 safe range (|n| ≤ 2^53-1)`,
    );
  }
  return value.toString();
}

/**
 * A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3).
 * @param {number} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (!Number.isFinite(value)) throw new CanonicalJSONError("NaN and Infinity are not JSON numbers");
  return Object.is(value, -0) ? "0" : String(value);
}
