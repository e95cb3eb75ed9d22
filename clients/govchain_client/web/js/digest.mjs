/**
 * Document digests, written `sha256:<64 lowercase hex>`, as core/govchain_core/digest.py.
 * The browser hashes the file itself; the file never leaves the device.
 *
 * @module digest
 */

import { DigestError } from "./errors.mjs";
import { sha256, toHex } from "./bytes.mjs";

export const SHA256 = "sha256";
/** @type {Record<string, number>} */
const ALGORITHMS = { [SHA256]: 32 };
const DIGEST_RE = /^([a-z0-9-]{1,16}):([0-9a-f]+)$/;

/**
 * A named hash of a document's bytes.
 * @typedef {{algorithm: string, hex: string}} Digest
 */

/**
 * Parse `sha256:<64 lowercase hex>` strictly (no upper case, no whitespace).
 * @param {unknown} text
 * @returns {Digest}
 */
export function parseDigest(text) {
  if (typeof text !== "string") throw new DigestError(`digest must be a string, got ${typeof text}`);
  const match = DIGEST_RE.exec(text);
  if (match === null) {
    if (text.toLowerCase() !== text) {
      throw new DigestError("digest must be written in lower case: 'sha256:<64 hex>'");
    }
    throw new DigestError("digest must look like 'sha256:<64 lowercase hex digits>'");
  }
  const [, algorithm, hex] = match;
  if (!Object.hasOwn(ALGORITHMS, algorithm)) {
    throw new DigestError(`unsupported digest algorithm '${algorithm}'`);
  }
  const expected = 2 * ALGORITHMS[algorithm];
  if (hex.length !== expected) {
    throw new DigestError(`${algorithm} digest needs ${expected} hex digits, got ${hex.length}`);
  }
  return { algorithm, hex };
}

/**
 * @param {Digest} digest
 * @returns {string}
 */
export function formatDigest(digest) {
  return `${digest.algorithm}:${digest.hex}`;
}

/**
 * SHA-256 digest of a document's bytes.
 * @param {Uint8Array | ArrayBuffer} data
 * @returns {Promise<Digest>}
 */
export async function digestBytes(data) {
  return { algorithm: SHA256, hex: toHex(await sha256(data)) };
}
