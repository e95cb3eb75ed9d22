/**
 * Document digests, written `sha256:<64 lowercase hex>`, as core/govchain_core/digest.py.
 * The browser hashes the file itself; the file never leaves the device.
 *
 * @module digest
 */

import { DigestError } from "./errors.mjs";
import { sha256, toHex } from "./bytes.mjs";
import { Sha256 } from "./sha256.mjs";

/** Files up to this size are hashed by WebCrypto in one piece; larger ones in chunks. */
export const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

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

/**
 * SHA-256 digest of a file (a `Blob`), without holding large files in memory:
 * up to `wholeFileLimit` bytes through WebCrypto, beyond that streamed through the
 * incremental hash, calling `onProgress(fraction)` as it goes. Aborting `signal`
 * stops the hashing between chunks and rejects with the signal's reason.
 * @param {Blob} file
 * @param {{onProgress?: (fraction: number) => void, wholeFileLimit?: number, signal?: AbortSignal}} [options]
 * @returns {Promise<Digest>}
 */
export async function digestFile(file, options = {}) {
  const { signal } = options;
  if (file.size <= (options.wholeFileLimit ?? WHOLE_FILE_LIMIT)) {
    const bytes = await file.arrayBuffer();
    signal?.throwIfAborted();
    return digestBytes(bytes);
  }
  const hasher = new Sha256();
  const reader = file.stream().getReader();
  let done = 0;
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel();
      signal.throwIfAborted();
    }
    const chunk = await reader.read();
    if (chunk.done) break;
    hasher.update(chunk.value);
    done += chunk.value.length;
    options.onProgress?.(done / file.size);
  }
  return { algorithm: SHA256, hex: toHex(hasher.digest()) };
}
