/**
 * Shared helpers of the JavaScript tests: the shared vectors and an in-memory chain
 * (the counterpart of core/govchain_core/memory_chain.py).
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { ANCHORED_TOPIC } from "../../clients/govchain_client/web/js/verify.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WEB = `${ROOT}clients/govchain_client/web/`;

/**
 * @param {string} name file in tests/vectors
 * @returns {any}
 */
export function loadVectors(name) {
  return JSON.parse(readFileSync(`${ROOT}tests/vectors/${name}`, "utf8"));
}

/** A consortium chain's registries as plain maps; implements ChainReader. */
export class MemoryChain {
  /**
   * @param {number} id
   * @param {string} registry
   */
  constructor(id = 1337, registry = `0x${"a5".repeat(20)}`) {
    this.id = id;
    this.registry = registry;
    /** @type {Map<string, import("../../clients/govchain_client/web/js/verify.mjs").AnchoredCheckpoint>} */
    this.checkpoints = new Map();
    /** @type {Map<number, string>} */
    this.blockHashes = new Map();
    /** @type {Map<string, import("../../clients/govchain_client/web/js/verify.mjs").IssuerInfo>} */
    this.issuers = new Map();
    /** @type {Map<string, import("../../clients/govchain_client/web/js/verify.mjs").DocumentStatus>} */
    this.statuses = new Map();
    /** @type {Map<string, import("../../clients/govchain_client/web/js/verify.mjs").TxReceipt>} */
    this.transactions = new Map();
  }

  async chainId() {
    return this.id;
  }

  async trustedRegistry() {
    return this.registry;
  }

  /** @param {string} txHash */
  async transactionReceipt(txHash) {
    return this.transactions.get(txHash) ?? null;
  }

  /**
   * @param {string} registry
   * @param {string} issuer
   * @param {number} size
   */
  async checkpoint(registry, issuer, size) {
    if (registry !== this.registry) return null;
    return this.checkpoints.get(`${issuer}/${size}`) ?? null;
  }

  /** @param {number} number */
  async blockHash(number) {
    return this.blockHashes.get(number) ?? null;
  }

  /** @param {string} address */
  async issuer(address) {
    return this.issuers.get(address) ?? null;
  }

  /**
   * @param {string} issuer
   * @param {string} leafHash
   */
  async status(issuer, leafHash) {
    return this.statuses.get(`${issuer}/${leafHash}`) ?? { state: "valid", since: 0, supersededBy: null, reason: 0 };
  }
}

/**
 * The chain on which a receipt verifies, as tests/unit/core/test_verify.py builds it.
 * @param {import("../../clients/govchain_client/web/js/receipt.mjs").Receipt} r
 */
export function chainFor(r) {
  const chain = new MemoryChain(r.anchor.chainId, r.anchor.registry);
  chain.checkpoints.set(`${r.leaf.issuer}/${r.proof.treeSize}`, {
    root: r.proof.root,
    blockNumber: r.anchor.blockNumber,
    timestamp: r.anchor.timestamp,
  });
  chain.blockHashes.set(r.anchor.blockNumber, r.anchor.blockHash);
  chain.transactions.set(r.anchor.txHash, anchoringTransaction(r));
  chain.issuers.set(r.leaf.issuer, {
    address: r.leaf.issuer,
    name: "Bürgeramt Musterstadt",
    ags: "05315000",
    roles: 1,
    validFrom: 0,
    validUntil: 0,
    registered: true,
  });
  return chain;
}

/**
 * The successful transaction that anchored a receipt's checkpoint, with its `Anchored` log.
 * @param {import("../../clients/govchain_client/web/js/receipt.mjs").Receipt} r
 * @returns {import("../../clients/govchain_client/web/js/verify.mjs").TxReceipt}
 */
export function anchoringTransaction(r) {
  const word = (/** @type {bigint} */ value) => `0x${value.toString(16).padStart(64, "0")}`;
  return {
    status: 1,
    blockNumber: r.anchor.blockNumber,
    blockHash: r.anchor.blockHash,
    to: r.anchor.registry,
    logs: [{
      address: r.anchor.registry,
      topics: [ANCHORED_TOPIC, word(BigInt(r.leaf.issuer)), word(BigInt(r.proof.treeSize))],
      data: `0x${r.proof.root}${"00".repeat(32)}`,
    }],
  };
}
