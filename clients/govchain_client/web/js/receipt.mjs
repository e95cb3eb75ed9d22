/**
 * Strict, bounded decoding of receipts v1 (`*.govchain.json`), rule for rule as
 * core/govchain_core/receipt_codec.py: a 64 KiB limit before parsing, one JSON
 * object and nothing after it, duplicate keys and NaN/Infinity refused, integers
 * within their range, every hash of exact length in lower-case hex. Versions are
 * `"MAJOR.MINOR"`: an unknown major is refused with `ReceiptVersionError`; within
 * major 1 a higher minor may add fields, which are ignored, while a 1.0 receipt with
 * unknown fields is refused. Every failure is a `ReceiptError` subclass; field faults
 * name the field as a JSON pointer.
 *
 * @module receipt
 */

import {
  CoreError,
  ReceiptError,
  ReceiptFieldError,
  ReceiptSizeError,
  ReceiptSyntaxError,
  ReceiptVersionError,
} from "./errors.mjs";
import { utf8 } from "./bytes.mjs";
import { parseStrict } from "./json.mjs";
import { byCodePoint, isInteger, isObject, leafFromObject, leafRecordHash } from "./leaf.mjs";
import { MAX_SAFE_INTEGER } from "./jcs.mjs";
import { MAX_PROOF_LENGTH } from "./merkle.mjs";

export const RECEIPT_TYPE = "govchain-receipt";
export const RECEIPT_VERSION = "1.0";
export const PROOF_ALGORITHM = "rfc9162-sha256";
export const MAX_RECEIPT_BYTES = 64 * 1024;
const KNOWN_MAJOR = 1;
const KNOWN_MINOR = 0;

const VERSION_RE = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$/;
const HASH_RE = /^[0-9a-f]{64}$/;
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const TOP_FIELDS = ["type", "version", "leaf", "proof", "anchor"];
const PROOF_FIELDS = ["algorithm", "index", "tree_size", "path", "root"];
const ANCHOR_FIELDS = ["chain_id", "registry", "tx_hash", "block_number", "block_hash", "timestamp"];

/**
 * RFC 9162 inclusion proof of the leaf in the anchored checkpoint `(treeSize, root)`;
 * hashes are 64 lower-case hex digits.
 * @typedef {object} InclusionProof
 * @property {number} index
 * @property {number} treeSize
 * @property {string[]} path
 * @property {string} root
 */

/**
 * Where the checkpoint `(issuer, treeSize, root)` was anchored; hashes are `0x`-prefixed.
 * @typedef {object} AnchorRef
 * @property {number} chainId
 * @property {string} registry
 * @property {string} txHash
 * @property {number} blockNumber
 * @property {string} blockHash
 * @property {number} timestamp
 */

/**
 * A complete, validated receipt v1.
 * @typedef {object} Receipt
 * @property {import("./leaf.mjs").LeafRecord} leaf
 * @property {InclusionProof} proof
 * @property {AnchorRef} anchor
 */

/**
 * Decode a receipt file strictly; throw a `ReceiptError` subclass on any fault.
 * @param {Uint8Array | ArrayBuffer | string} data
 * @returns {Receipt}
 */
export function decodeReceipt(data) {
  const raw = typeof data === "string" ? utf8.encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (!(raw instanceof Uint8Array)) throw new ReceiptSyntaxError("receipt must be bytes or text");
  if (raw.length > MAX_RECEIPT_BYTES) {
    throw new ReceiptSizeError(`receipt is ${raw.length} bytes, more than ${MAX_RECEIPT_BYTES}`);
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new ReceiptSyntaxError("receipt is not UTF-8");
  }
  if (text.startsWith("\ufeff")) text = text.slice(1);
  return receiptFromObject(parseStrict(text));
}

/**
 * Decode an already parsed JSON value strictly.
 * @param {unknown} obj
 * @returns {Receipt}
 */
export function receiptFromObject(obj) {
  const top = object(obj, "");
  if (top.type !== RECEIPT_TYPE) throw new ReceiptFieldError("/type", `must be '${RECEIPT_TYPE}'`);
  const strict = version(top) <= KNOWN_MINOR;
  fields(top, "", TOP_FIELDS, strict);
  let leaf;
  try {
    leaf = leafFromObject(top.leaf, "/leaf");
  } catch (error) {
    if (error instanceof CoreError) throw new ReceiptFieldError("/leaf", error.message);
    throw error;
  }
  const proof = inclusionProof(object(top.proof, "/proof"), strict);
  const anchor = anchorRef(object(top.anchor, "/anchor"), strict);
  return { leaf, proof, anchor };
}

/**
 * The receipt as its JSON object (the Python core's `receipt_to_object`).
 * @param {Receipt} receipt
 * @returns {Record<string, unknown>}
 */
export function receiptToObject(receipt) {
  const { leaf, proof, anchor } = receipt;
  return {
    type: RECEIPT_TYPE,
    version: RECEIPT_VERSION,
    leaf: { ...leafFields(leaf) },
    proof: {
      algorithm: PROOF_ALGORITHM,
      index: proof.index,
      tree_size: proof.treeSize,
      path: [...proof.path],
      root: proof.root,
    },
    anchor: {
      chain_id: anchor.chainId,
      registry: anchor.registry,
      tx_hash: anchor.txHash,
      block_number: anchor.blockNumber,
      block_hash: anchor.blockHash,
      timestamp: anchor.timestamp,
    },
  };
}

/**
 * @param {import("./leaf.mjs").LeafRecord} leaf
 * @returns {Record<string, unknown>}
 */
function leafFields(leaf) {
  /** @type {Record<string, unknown>} */
  const obj = { v: 1 };
  for (const [key, value] of Object.entries(leaf)) if (value !== undefined) obj[key] = value;
  return obj;
}

/**
 * The leaf hash of the receipt's record.
 * @param {Receipt} receipt
 * @returns {Promise<Uint8Array>}
 */
export function receiptLeafHash(receipt) {
  return leafRecordHash(receipt.leaf);
}

/**
 * @param {Record<string, unknown>} top
 * @returns {number} the minor version
 */
function version(top) {
  const value = top.version;
  const match = typeof value === "string" ? VERSION_RE.exec(value) : null;
  if (match === null) throw new ReceiptFieldError("/version", "must be a 'MAJOR.MINOR' string");
  const major = Number(match[1]);
  if (major !== KNOWN_MAJOR) {
    throw new ReceiptVersionError(
      `receipt version ${value} is not supported (this verifier reads ${KNOWN_MAJOR}.x)`,
    );
  }
  return Number(match[2]);
}

/**
 * @param {Record<string, unknown>} obj
 * @param {boolean} strict
 * @returns {InclusionProof}
 */
function inclusionProof(obj, strict) {
  fields(obj, "/proof", PROOF_FIELDS, strict);
  if (obj.algorithm !== PROOF_ALGORITHM) {
    throw new ReceiptFieldError("/proof/algorithm", `must be '${PROOF_ALGORITHM}'`);
  }
  const treeSize = integer(obj, "/proof", "tree_size", 1);
  const index = integer(obj, "/proof", "index", 0);
  if (index >= treeSize) throw new ReceiptFieldError("/proof/index", "must be smaller than tree_size");
  const path = obj.path;
  if (!Array.isArray(path) || path.length > MAX_PROOF_LENGTH) {
    throw new ReceiptFieldError("/proof/path", `must be a list of at most ${MAX_PROOF_LENGTH}`);
  }
  return {
    index,
    treeSize,
    path: path.map((node, i) => hash(node, `/proof/path/${i}`, "")),
    root: hash(obj.root, "/proof/root", ""),
  };
}

/**
 * @param {Record<string, unknown>} obj
 * @param {boolean} strict
 * @returns {AnchorRef}
 */
function anchorRef(obj, strict) {
  fields(obj, "/anchor", ANCHOR_FIELDS, strict);
  const registry = obj.registry;
  if (typeof registry !== "string" || !ADDRESS_RE.test(registry)) {
    throw new ReceiptFieldError("/anchor/registry", "must be a lower-case 0x-hex address");
  }
  const chainId = integer(obj, "/anchor", "chain_id", 1);
  const txHash = `0x${hash(obj.tx_hash, "/anchor/tx_hash", "0x")}`;
  const blockNumber = integer(obj, "/anchor", "block_number", 0);
  const blockHash = `0x${hash(obj.block_hash, "/anchor/block_hash", "0x")}`;
  const timestamp = integer(obj, "/anchor", "timestamp", 0);
  return { chainId, registry, txHash, blockNumber, blockHash, timestamp };
}

/**
 * @param {unknown} value
 * @param {string} pointer
 * @returns {Record<string, unknown>}
 */
function object(value, pointer) {
  if (!isObject(value)) throw new ReceiptFieldError(pointer || "/", "must be a JSON object");
  return value;
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} pointer
 * @param {string[]} known
 * @param {boolean} strict
 */
function fields(obj, pointer, known, strict) {
  const missing = known.filter((name) => !Object.hasOwn(obj, name)).sort(byCodePoint);
  if (missing.length) throw new ReceiptFieldError(`${pointer}/${missing[0]}`, "is missing");
  const unknown = Object.keys(obj).filter((name) => !known.includes(name)).sort(byCodePoint);
  if (strict && unknown.length) {
    throw new ReceiptFieldError(`${pointer}/${unknown[0]}`, "is not a field of receipt v1.0");
  }
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} pointer
 * @param {string} name
 * @param {number} minimum
 * @returns {number}
 */
function integer(obj, pointer, name, minimum) {
  const value = obj[name];
  if (!isInteger(value)) throw new ReceiptFieldError(`${pointer}/${name}`, "must be an integer");
  if (!(value >= minimum && value <= MAX_SAFE_INTEGER)) {
    throw new ReceiptFieldError(`${pointer}/${name}`, `must be within ${minimum}..2^53-1`);
  }
  return Number(value);
}

/**
 * @param {unknown} value
 * @param {string} pointer
 * @param {string} prefix
 * @returns {string} the 64 hex digits without the prefix
 */
function hash(value, pointer, prefix) {
  if (typeof value !== "string" || !value.startsWith(prefix)) {
    throw new ReceiptFieldError(pointer, prefix ? `must be a ${prefix}-prefixed hex string` : "must be a hex string");
  }
  const digits = value.slice(prefix.length);
  if (!HASH_RE.test(digits)) throw new ReceiptFieldError(pointer, "must be 64 lower-case hex digits");
  return digits;
}

export { ReceiptError };
