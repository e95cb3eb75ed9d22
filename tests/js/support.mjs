/**
 * Shared helpers of the JavaScript tests: the shared vectors and an in-memory chain
 * (the counterpart of core/govchain_core/memory_chain.py).
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AbiCoder } from "ethers";

import { SELECTORS } from "../../clients/govchain_client/web/js/selectors.mjs";
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
    /** the node's head; tests lower it to play a node that is not synced */
    this.head = Number.MAX_SAFE_INTEGER;
    /** the page's configured deployment; tests blank parts of it */
    /** @type {import("../../clients/govchain_client/web/js/verify.mjs").TrustAnchors} */
    this.trusted = { chainId: id, anchor: registry, issuer: `0x${"15".repeat(20)}`, status: `0x${"57".repeat(20)}` };
  }

  async chainId() {
    return this.id;
  }

  /** @returns {Promise<import("../../clients/govchain_client/web/js/verify.mjs").TrustAnchors>} */
  async trustAnchors() {
    return { chainId: this.trusted.chainId, anchor: this.trusted.anchor, issuer: this.trusted.issuer, status: this.trusted.status };
  }

  async blockNumber() {
    return this.head;
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

const abi = AbiCoder.defaultAbiCoder();
/** The IssuerRegistry and StatusRegistry of the JSON-RPC fakes below. */
export const ISSUERS = `0x${"b6".repeat(20)}`;
export const STATUS = `0x${"c7".repeat(20)}`;

/**
 * Set `value` at a JSON pointer inside `target` (which it changes).
 * @param {any} target
 * @param {string} pointer
 * @param {unknown} value
 */
export function setPointer(target, pointer, value) {
  const keys = pointer.split("/").slice(1);
  const last = /** @type {string} */ (keys.pop());
  for (const key of keys) target = target[key];
  target[last] = value;
}

/**
 * A node that answers the verifier's reads as an anchor_tx.json vector case says.
 * @param {any} vector
 * @param {any} kase
 * @param {{head?: number, noBlock?: boolean, calls?: Record<string, string>}} [node]
 *   the node's head (`eth_blockNumber`), a block it does not know, further `eth_call` answers by `to:selector`
 * @returns {typeof fetch}
 */
export function nodeFor(vector, kase, node = {}) {
  const tx = structuredClone(vector.tx_receipt);
  for (const [pointer, value] of Object.entries(kase.tx_set ?? {})) setPointer(tx, pointer, value);
  const checkpoint = { ...vector.checkpoint, ...kase.checkpoint_set };
  const blockHash = kase.block_hash ?? vector.block_hash;
  const issuer = abi.encode(["tuple(string,string,uint8,uint64,uint64,bool,uint64,uint64)"],
    [["Bürgeramt Musterstadt", "05315000", 1, 0, 0, true, 1, 0]]);
  /** @type {Record<string, string>} */
  const calls = {
    [`${vector.registry}:${SELECTORS["AnchorRegistry.checkpoint(address,uint64)"]}`]:
      abi.encode(["bytes32", "uint64", "uint64"], [`0x${checkpoint.root}`, checkpoint.block_number, checkpoint.timestamp]),
    [`${ISSUERS}:${SELECTORS["IssuerRegistry.getIssuer(address)"]}`]: issuer,
    [`${STATUS}:${SELECTORS["StatusRegistry.status(address,bytes32)"]}`]:
      abi.encode(["uint8", "uint64", "bytes32", "uint32"], [0, 0, `0x${"00".repeat(32)}`, 0]),
    ...node.calls,
  };
  return async (_url, init) => {
    const request = JSON.parse(String(init?.body));
    let result = null;
    if (request.method === "eth_chainId") result = "0x539";
    if (request.method === "eth_blockNumber") result = `0x${(node.head ?? 0xffffffff).toString(16)}`;
    if (request.method === "eth_getTransactionReceipt") {
      result = Object.hasOwn(kase, "tx_receipt") || request.params[0] !== tx.transactionHash ? null : tx;
    }
    if (request.method === "eth_getBlockByNumber" && !node.noBlock) result = { hash: blockHash, number: request.params[0] };
    if (request.method === "eth_call") {
      const { to, data } = request.params[0];
      result = calls[`${to}:${data.slice(2, 10)}`] ?? "0x";
    }
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
  };
}
