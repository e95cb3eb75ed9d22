/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proof verification,
 * mirroring core/govchain_core/merkle.py.
 *
 * Leaf hash `SHA-256(0x00 ‖ data)`, node hash `SHA-256(0x01 ‖ left ‖ right)`.
 * Inclusion proofs are checked as RFC 9162 §2.1.3.2 and consistency proofs as
 * §2.1.4.2 describe. These verifiers are the security boundary of the web
 * verifier: they take only bytes and integers and throw one error type,
 * `ProofError`. Indices and sizes are handled as BigInt, because JavaScript's
 * bit operators are 32-bit and logs may hold up to 2^53-1 leaves.
 *
 * @module merkle
 */

import { ProofError } from "./errors.mjs";
import { concat, equalBytes, sha256 } from "./bytes.mjs";

export const HASH_SIZE = 32;
export const MAX_PROOF_LENGTH = 64;

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/**
 * `SHA-256(0x00 ‖ data)`.
 * @param {Uint8Array} data
 * @returns {Promise<Uint8Array>}
 */
export function leafHash(data) {
  return sha256(concat(LEAF_PREFIX, data));
}

/**
 * `SHA-256(0x01 ‖ left ‖ right)`.
 * @param {Uint8Array} left
 * @param {Uint8Array} right
 * @returns {Promise<Uint8Array>}
 */
export function nodeHash(left, right) {
  return sha256(concat(NODE_PREFIX, left, right));
}

/**
 * MTH of a full list of leaf hashes (RFC 9162 §2.1.1); for tests and tools.
 * @param {Uint8Array[]} leaves
 * @returns {Promise<Uint8Array>}
 */
export async function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(await merkleRoot(leaves.slice(0, k)), await merkleRoot(leaves.slice(k)));
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {bigint}
 */
function count(value, name) {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new ProofError(`${name} must be an integer`);
}

/**
 * @param {string} name
 * @param {unknown} value
 */
function checkHash(name, value) {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new ProofError(`${name} must be a ${HASH_SIZE}-byte hash`);
  }
}

/** @param {Uint8Array[]} path */
function checkPath(path) {
  if (!Array.isArray(path)) throw new ProofError("proof must be a list of hashes");
  if (path.length > MAX_PROOF_LENGTH) {
    throw new ProofError(`proof has ${path.length} hashes, more than ${MAX_PROOF_LENGTH}`);
  }
  path.forEach((node, position) => checkHash(`proof[${position}]`, node));
}

/**
 * Recompute the tree root from a leaf hash and its inclusion path (RFC 9162 §2.1.3.2).
 * @param {number | bigint} index
 * @param {number | bigint} size
 * @param {Uint8Array} leaf
 * @param {Uint8Array[]} path
 * @returns {Promise<Uint8Array>}
 */
export async function rootFromInclusionProof(index, size, leaf, path) {
  const i = count(index, "leaf index");
  const n = count(size, "tree size");
  if (!(i >= 0n && i < n)) throw new ProofError(`leaf index ${i} is outside a tree of size ${n}`);
  checkHash("leaf hash", leaf);
  checkPath(path);
  let fn = i;
  let sn = n - 1n;
  let acc = leaf;
  for (const node of path) {
    if (sn === 0n) throw new ProofError("inclusion proof is longer than the tree is high");
    if ((fn & 1n) === 1n || fn === sn) {
      acc = await nodeHash(node, acc);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      acc = await nodeHash(acc, node);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError("inclusion proof is shorter than the tree is high");
  return acc;
}

/**
 * Throw `ProofError` unless `path` proves leaf `index` in the tree `(size, root)`.
 * @param {number | bigint} index
 * @param {number | bigint} size
 * @param {Uint8Array} leaf
 * @param {Uint8Array[]} path
 * @param {Uint8Array} root
 * @returns {Promise<void>}
 */
export async function verifyInclusion(index, size, leaf, path, root) {
  checkHash("root", root);
  const computed = await rootFromInclusionProof(index, size, leaf, path);
  if (!equalBytes(computed, root)) {
    throw new ProofError("inclusion proof does not lead to the expected root");
  }
}

/**
 * Throw `ProofError` unless `path` proves `(oldSize, oldRoot)` is a prefix of
 * `(newSize, newRoot)` (RFC 9162 §2.1.4.2).
 * @param {number | bigint} oldSize
 * @param {number | bigint} newSize
 * @param {Uint8Array} oldRoot
 * @param {Uint8Array} newRoot
 * @param {Uint8Array[]} path
 * @returns {Promise<void>}
 */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, path) {
  checkHash("old root", oldRoot);
  checkHash("new root", newRoot);
  checkPath(path);
  const m = count(oldSize, "old size");
  const n = count(newSize, "new size");
  if (!(m >= 0n && m <= n)) throw new ProofError(`old size ${m} is not within 0..${n}`);
  if (m === n) {
    if (path.length) throw new ProofError("a proof between equal sizes must be empty");
    if (!equalBytes(oldRoot, newRoot)) throw new ProofError("roots differ for the same tree size");
    return;
  }
  if (m === 0n) {
    if (path.length) throw new ProofError("a proof from the empty tree must be empty");
    return;
  }
  if (!path.length) throw new ProofError("consistency proof is empty");
  const nodes = (m & (m - 1n)) === 0n ? [oldRoot, ...path] : [...path];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = nodes[0];
  let sr = nodes[0];
  for (const node of nodes.slice(1)) {
    if (sn === 0n) throw new ProofError("consistency proof is longer than the tree is high");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(node, fr);
      sr = await nodeHash(node, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, node);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError("consistency proof is shorter than the tree is high");
  if (!equalBytes(fr, oldRoot)) throw new ProofError("consistency proof does not lead to the old root");
  if (!equalBytes(sr, newRoot)) throw new ProofError("consistency proof does not lead to the new root");
}
