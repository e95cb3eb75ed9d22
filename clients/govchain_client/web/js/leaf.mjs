/**
 * Leaf records v1, decoded as strictly as core/govchain_core/leaf.py does:
 * `{"v":1,"kind":…,"digest":"sha256:…","salt":"<32 hex>","issuer":"0x…"}` plus optional
 * `meta`, `device`/`seq` and `supersedes`. The leaf hash is
 * `SHA-256(0x00 ‖ JCS(record))`. This format is part of every receipt and must
 * never change meaning.
 *
 * @module leaf
 */

import { CoreError, LeafRecordError } from "./errors.mjs";
import { parseDigest } from "./digest.mjs";
import { canonicalize, MAX_SAFE_INTEGER } from "./jcs.mjs";
import { leafHash } from "./merkle.mjs";
import { JsonFloat } from "./json.mjs";

export const LEAF_VERSION = 1;
export const KINDS = Object.freeze(["certificate", "register", "iot", "dataset"]);
const SALT_SIZE = 16;
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const HEX_RE = /^[0-9a-f]*$/;
const DEVICE_RE = /^[\x21-\x7e]{1,128}$/;
const REQUIRED = ["v", "kind", "digest", "salt", "issuer"];
const OPTIONAL = ["meta", "device", "seq", "supersedes"];

/**
 * A validated leaf record; hashes and digests are kept as their lower-case text.
 * @typedef {object} LeafRecord
 * @property {string} kind
 * @property {string} digest       `sha256:<hex>`
 * @property {string} salt         32 hex digits
 * @property {string} issuer       `0x` + 40 lower-case hex
 * @property {string} [meta]
 * @property {string} [device]
 * @property {number} [seq]
 * @property {string} [supersedes] 64 hex digits
 */

/**
 * The record as a plain object with only its defined fields.
 * @param {LeafRecord} leaf
 * @returns {Record<string, string | number>}
 */
export function leafToObject(leaf) {
  /** @type {Record<string, string | number>} */
  const obj = { v: LEAF_VERSION, kind: leaf.kind, digest: leaf.digest, salt: leaf.salt, issuer: leaf.issuer };
  if (leaf.meta !== undefined) obj.meta = leaf.meta;
  if (leaf.device !== undefined && leaf.seq !== undefined) {
    obj.device = leaf.device;
    obj.seq = leaf.seq;
  }
  if (leaf.supersedes !== undefined) obj.supersedes = leaf.supersedes;
  return obj;
}

/**
 * RFC 8785 bytes of the record.
 * @param {LeafRecord} leaf
 * @returns {Uint8Array}
 */
export function leafCanonicalBytes(leaf) {
  return canonicalize(leafToObject(leaf));
}

/**
 * `SHA-256(0x00 ‖ JCS(record))`.
 * @param {LeafRecord} leaf
 * @returns {Promise<Uint8Array>}
 */
export function leafRecordHash(leaf) {
  return leafHash(leafCanonicalBytes(leaf));
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonFloat);
}

/**
 * An integer as the strict JSON reader or `JSON.parse` gives it (never a boolean
 * and never a number written with a fraction).
 * @param {unknown} value
 * @returns {value is number | bigint}
 */
export function isInteger(value) {
  return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
}

/**
 * Strictly decode a leaf record object (unknown fields and versions refused).
 * @param {unknown} obj
 * @param {string} [where]
 * @returns {LeafRecord}
 */
export function leafFromObject(obj, where = "leaf") {
  if (!isObject(obj)) throw new LeafRecordError(`${where} must be a JSON object`);
  const known = new Set([...REQUIRED, ...OPTIONAL]);
  const unknown = Object.keys(obj).filter((name) => !known.has(name)).sort(byCodePoint);
  if (unknown.length) throw new LeafRecordError(`${where} has unknown fields: ${unknown.join(", ")}`);
  const missing = REQUIRED.filter((name) => !Object.hasOwn(obj, name));
  if (missing.length) throw new LeafRecordError(`${where} lacks fields: ${missing.join(", ")}`);
  const version = obj.v instanceof JsonFloat ? obj.v.value : obj.v;
  if (version !== LEAF_VERSION) {
    throw new LeafRecordError(`${where}.v: unknown leaf record version ${describe(version)}`);
  }
  try {
    const kind = text(obj, "kind", where);
    const digest = parseDigest(text(obj, "digest", where));
    const salt = hex(obj, "salt", where, SALT_SIZE);
    const issuer = address(obj, where);
    const meta = Object.hasOwn(obj, "meta") ? parseDigest(text(obj, "meta", where)) : undefined;
    const device = Object.hasOwn(obj, "device") ? text(obj, "device", where) : undefined;
    const seq = obj.seq;
    const supersedes = Object.hasOwn(obj, "supersedes") ? hex(obj, "supersedes", where, 32) : undefined;
    /** @type {LeafRecord} */
    const leaf = { kind, digest: `${digest.algorithm}:${digest.hex}`, salt, issuer };
    if (meta !== undefined) leaf.meta = `${meta.algorithm}:${meta.hex}`;
    // the checks of LeafRecord.__post_init__, in its order
    if (!KINDS.includes(kind)) {
      throw new LeafRecordError(`kind must be one of ${KINDS.join(", ")}, not '${kind}'`);
    }
    if (device !== undefined && !DEVICE_RE.test(device)) {
      throw new LeafRecordError("device must be 1-128 printable ASCII characters");
    }
    if (seq !== undefined && seq !== null) {
      if (!(isInteger(seq) && seq >= 0 && seq <= MAX_SAFE_INTEGER)) {
        throw new LeafRecordError("seq must be an integer in 0..2^53-1");
      }
    }
    const hasSeq = seq !== undefined && seq !== null;
    if (hasSeq !== (device !== undefined)) throw new LeafRecordError("device and seq go together");
    if (device !== undefined) {
      leaf.device = device;
      leaf.seq = Number(seq);
    }
    if (supersedes !== undefined) leaf.supersedes = supersedes;
    return leaf;
  } catch (error) {
    if (error instanceof LeafRecordError) throw error;
    if (error instanceof CoreError) throw new LeafRecordError(`${where}: ${error.message}`);
    throw error;
  }
}

/**
 * A short, safe description of any decoded JSON value for an error message.
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  if (value instanceof JsonFloat) return String(value.value);
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "a list" : "an object";
}

/**
 * Compare strings by Unicode code point, as Python's `sorted` does.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function byCodePoint(a, b) {
  const x = Array.from(a, (c) => /** @type {number} */ (c.codePointAt(0)));
  const y = Array.from(b, (c) => /** @type {number} */ (c.codePointAt(0)));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} name
 * @param {string} where
 * @returns {string}
 */
function text(obj, name, where) {
  const value = obj[name];
  if (typeof value !== "string") throw new LeafRecordError(`${where}.${name} must be a string`);
  return value;
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} name
 * @param {string} where
 * @param {number} size
 * @returns {string}
 */
function hex(obj, name, where, size) {
  const value = text(obj, name, where);
  if (value.length !== 2 * size || !HEX_RE.test(value)) {
    throw new LeafRecordError(`${where}.${name} must be ${2 * size} lower-case hex digits`);
  }
  return value;
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} where
 * @returns {string}
 */
function address(obj, where) {
  const value = text(obj, "issuer", where);
  if (!ADDRESS_RE.test(value)) throw new LeafRecordError(`${where}.issuer must be a lower-case 0x-hex address`);
  return value;
}
