/**
 * Receipt verification in four steps, each reported on its own, as
 * core/govchain_core/verify.py does:
 *
 * 1. `format`     the receipt is well-formed and, when a document is given, names its digest;
 * 2. `inclusion`  the leaf's inclusion proof leads to the checkpoint root;
 * 3. `anchor`     that checkpoint `(issuer, size, root)` is anchored on the consortium
 *                 chain, by the transaction and in the block the receipt names;
 * 4. `issuer`     the issuer is trusted for this kind of document, and the document's
 *                 status now is valid (not suspended, revoked or superseded).
 *
 * Steps 3 and 4 read the chain through an injected {@link ChainReader} (the JSON-RPC
 * reader of rpc.mjs in the page, an in-memory one in tests), so the notary need
 * not be trusted. A step after a failed one is skipped; an unreadable chain is an
 * `error`, not a `failed`. Each result carries a stable `code` for the page's
 * translations besides the English message the Python core writes, and a failed
 * step names the receipt field that differs from the chain as `details.field`
 * (a JSON pointer).
 *
 * The anchor step, in this order (the Python core checks the same, in the same order):
 * - the reader has trust anchors, from the page's configuration alone: the chain id and
 *   the AnchorRegistry, IssuerRegistry and StatusRegistry (`trust_missing`, could not
 *   check, naming what is missing; a receipt never supplies its own registries);
 * - `/anchor/chain_id` is the configured chain (`wrong_chain`), and the node serves
 *   that chain (`node_wrong_chain`, could not check);
 * - `/anchor/registry` is the AnchorRegistry of the trusted deployment;
 * - the registry's checkpoint `(issuer, /proof/tree_size)` exists and has root
 *   `/proof/root`, block `/anchor/block_number` and time `/anchor/timestamp`;
 * - the block `/anchor/block_number` has hash `/anchor/block_hash`;
 * - `eth_getTransactionReceipt(/anchor/tx_hash)` exists (`tx_unknown`), succeeded
 *   (`tx_failed`), lies in block `/anchor/block_number` with hash `/anchor/block_hash`,
 *   was sent to the registry, and carries the registry's `Anchored(issuer, size, root,
 *   prevSize)` log for this issuer, `/proof/tree_size` and `/proof/root` (`tx_no_event`).
 * When several fields differ, the first check in this order names its field. When the
 * checkpoint, the block or the transaction is missing, the node's head
 * (`eth_blockNumber`) decides: below `/anchor/block_number` the node is not synced
 * (`node_not_synced`, could not check), else the receipt is not valid.
 *
 * {@link verdictOf} folds a report into one of three verdicts: `valid`, `not_valid`
 * (a step failed) and `could_not_check` (none failed, but the chain could not be read).
 *
 * @module verify
 */

import { ChainError, ProofError } from "./errors.mjs";
import { fromHex, toHex } from "./bytes.mjs";
import { formatDigest } from "./digest.mjs";
import { verifyInclusion } from "./merkle.mjs";
import { receiptLeafHash } from "./receipt.mjs";
import { TOPICS } from "./selectors.mjs";

/** @type {Readonly<Record<string, number>>} */
export const ROLE_BITS = Object.freeze({ certificate: 1, register: 2, iot: 4, dataset: 8 });
export const STEP_NAMES = Object.freeze(["format", "inclusion", "anchor", "issuer"]);
/** Status codes as the StatusRegistry stores them. */
export const DOCUMENT_STATES = Object.freeze(["valid", "suspended", "revoked", "superseded"]);
/** The three outcomes of a check; the page and the Python core use the same words. */
export const VERDICTS = Object.freeze(["valid", "not_valid", "could_not_check"]);
/** topic0 of `AnchorRegistry.Anchored(address indexed issuer, uint64 indexed size, bytes32 root, uint64 prevSize)`. */
export const ANCHORED_TOPIC = `0x${TOPICS["AnchorRegistry.Anchored(address,uint64,bytes32,uint64)"]}`;

/**
 * @typedef {"passed" | "failed" | "error" | "skipped"} StepStatus
 *
 * @typedef {object} AnchoredCheckpoint
 * @property {string} root        64 hex digits
 * @property {number} blockNumber
 * @property {number} timestamp
 *
 * @typedef {object} IssuerInfo
 * @property {string} address
 * @property {string} name
 * @property {string} ags         official municipality key (AGS/ARS)
 * @property {number} roles       bit set of ROLE_BITS
 * @property {number} validFrom
 * @property {number} validUntil  0: open-ended
 * @property {boolean} registered
 *
 * @typedef {object} DocumentStatus
 * @property {"valid" | "suspended" | "revoked" | "superseded"} state
 * @property {number} since
 * @property {string | null} supersededBy  64 hex digits
 * @property {number} reason
 *
 * A log of a transaction receipt; hex strings in lower case, `0x`-prefixed.
 * @typedef {object} TxLog
 * @property {string} address
 * @property {string[]} topics  each 64 hex digits
 * @property {string} data
 *
 * The parts of `eth_getTransactionReceipt` the anchor step checks.
 * @typedef {object} TxReceipt
 * @property {number} status       1: succeeded
 * @property {number} blockNumber
 * @property {string} blockHash    `0x` + 64 hex
 * @property {string | null} to    lower-case address; null for a contract creation
 * @property {TxLog[]} logs
 *
 * The deployment the page's configuration vouches for; null where none is configured.
 * @typedef {object} TrustAnchors
 * @property {number | null} chainId
 * @property {string | null} anchor  the AnchorRegistry, lower case
 * @property {string | null} issuer  the IssuerRegistry
 * @property {string | null} status  the StatusRegistry
 *
 * What verification needs from a consortium node; any method may throw `ChainError`.
 * @typedef {object} ChainReader
 * @property {() => Promise<number>} chainId
 * @property {() => Promise<TrustAnchors>} trustAnchors  the configured deployment; never taken from a receipt
 * @property {() => Promise<number>} blockNumber  the node's head
 * @property {(txHash: string) => Promise<TxReceipt | null>} transactionReceipt
 * @property {(registry: string, issuer: string, size: number) => Promise<AnchoredCheckpoint | null>} checkpoint
 * @property {(number: number) => Promise<string | null>} blockHash  `0x` + 64 hex
 * @property {(address: string) => Promise<IssuerInfo | null>} issuer
 * @property {(issuer: string, leafHash: string) => Promise<DocumentStatus>} status
 *
 * @typedef {object} StepResult
 * @property {string} name
 * @property {StepStatus} status
 * @property {string} code     stable identifier of the outcome, for translations
 * @property {string} message  English, as the Python core words it
 * @property {Record<string, string | number>} details
 *
 * A passed step's code, message and details.
 * @typedef {[string, string, Record<string, string | number>]} Outcome
 *
 * @typedef {object} VerificationReport
 * @property {StepResult[]} steps
 * @property {boolean} ok
 * @property {StepResult | null} failedStep
 * @property {IssuerInfo | null} issuer
 * @property {DocumentStatus | null} documentStatus
 * @property {string} leafHash  64 hex digits
 */

/**
 * Whether the issuer was trusted at `timestamp`.
 * @param {IssuerInfo} info
 * @param {number} timestamp
 * @returns {boolean}
 */
export function issuerValidAt(info, timestamp) {
  return info.registered && info.validFrom <= timestamp && (info.validUntil === 0 || timestamp <= info.validUntil);
}

class StepFailed extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {Record<string, string | number>} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A step that could not be checked (not a failure): the verdict is `could_not_check`. */
class StepUncheckable extends StepFailed {}

/**
 * A step that failed, naming the receipt field that differs from the chain.
 * @param {string} code
 * @param {string} message
 * @param {string} field JSON pointer into the receipt
 * @param {Record<string, string | number>} [details]
 */
function fieldFailed(code, message, field, details = {}) {
  return new StepFailed(code, message, { field, ...details });
}

/**
 * The verdict of one report: `valid` when every step passed, `not_valid` when a step
 * failed, `could_not_check` when none failed but one could not read the chain.
 * @param {VerificationReport} report
 * @returns {"valid" | "not_valid" | "could_not_check"}
 */
export function verdictOf(report) {
  if (report.ok) return "valid";
  if (report.steps.some((step) => step.status === "failed")) return "not_valid";
  return "could_not_check";
}

/**
 * Run the four steps; never throws for a bad receipt, only reports. With a `signal`,
 * an aborted run rejects with the signal's reason (the page drops such runs).
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @param {{document?: import("./digest.mjs").Digest | null, now?: () => number, signal?: AbortSignal}} [options]
 * @returns {Promise<VerificationReport>}
 */
export async function verifyReceipt(receipt, chain, options = {}) {
  const document = options.document ?? null;
  const signal = options.signal;
  const leafHash = toHex(await receiptLeafHash(receipt));
  /** @type {{issuer: IssuerInfo | null, documentStatus: DocumentStatus | null}} */
  const found = { issuer: null, documentStatus: null };

  /** @type {[string, () => Promise<Outcome>][]} */
  const checks = [
    ["format", async () => checkFormat(receipt, document)],
    ["inclusion", () => checkInclusion(receipt, leafHash)],
    ["anchor", () => checkAnchor(receipt, chain)],
    ["issuer", () => checkIssuerAndStatus(receipt, chain, leafHash, found)],
  ];
  /** @type {StepResult[]} */
  const steps = [];
  for (const [name, check] of checks) {
    const previous = steps.at(-1);
    if (previous && previous.status !== "passed") {
      steps.push({ name, status: "skipped", code: "skipped", message: "an earlier step did not pass", details: {} });
      continue;
    }
    signal?.throwIfAborted();
    steps.push(await run(name, check));
  }
  signal?.throwIfAborted();
  const failedStep = steps.find((step) => step.status !== "passed") ?? null;
  return { steps, ok: failedStep === null, failedStep, issuer: found.issuer, documentStatus: found.documentStatus, leafHash };
}

/**
 * @param {string} name
 * @param {() => Promise<Outcome>} check
 * @returns {Promise<StepResult>}
 */
async function run(name, check) {
  try {
    const [code, message, details] = await check();
    return { name, status: "passed", code, message, details };
  } catch (error) {
    if (error instanceof StepUncheckable) {
      return { name, status: "error", code: error.code, message: error.message, details: error.details };
    }
    if (error instanceof StepFailed) {
      return { name, status: "failed", code: error.code, message: error.message, details: error.details };
    }
    if (error instanceof ChainError) {
      /** @type {Record<string, string | number>} */
      const details = { error: error.message };
      const url = /** @type {{url?: unknown}} */ (error).url;
      if (typeof url === "string") details.url = url;
      return { name, status: "error", code: "chain_unreadable", message: `could not read the chain: ${error.message}`, details };
    }
    throw error;
  }
}

/**
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {import("./digest.mjs").Digest | null} document
 * @returns {Outcome}
 */
function checkFormat(receipt, document) {
  const digest = receipt.leaf.digest;
  if (document !== null && formatDigest(document) !== digest) {
    throw fieldFailed("document_mismatch", "the document does not match the receipt", "/leaf/digest", {
      document: formatDigest(document),
      receipt: digest,
    });
  }
  return ["format_ok", `receipt v1 for ${digest}`, { digest }];
}

/**
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {string} leafHash
 * @returns {Promise<Outcome>}
 */
async function checkInclusion(receipt, leafHash) {
  const { proof } = receipt;
  try {
    await verifyInclusion(proof.index, proof.treeSize, fromHex(leafHash), proof.path.map(fromHex), fromHex(proof.root));
  } catch (error) {
    if (error instanceof ProofError) {
      throw fieldFailed("inclusion_rejected", `inclusion proof rejected: ${error.message}`, "/proof");
    }
    throw error;
  }
  return ["inclusion_ok", `leaf ${proof.index} is in the log of size ${proof.treeSize}`, {
    index: proof.index,
    size: proof.treeSize,
  }];
}

/**
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @returns {Promise<Outcome>}
 */
async function checkAnchor(receipt, chain) {
  const { anchor, proof } = receipt;
  const registry = await checkDeployment(receipt, chain);
  const found = await chain.checkpoint(registry, receipt.leaf.issuer, proof.treeSize);
  if (found === null) {
    await requireSynced(chain, anchor.blockNumber);
    throw fieldFailed("no_checkpoint", "no such checkpoint is anchored on chain", "/proof/tree_size", { size: proof.treeSize });
  }
  if (found.root !== proof.root) {
    throw fieldFailed("root_differs", "the anchored root differs from the receipt's root", "/proof/root", {
      chain_root: found.root,
      receipt_root: proof.root,
    });
  }
  if (found.blockNumber !== anchor.blockNumber) {
    throw fieldFailed("block_number_differs", "the checkpoint was anchored in another block than the receipt says", "/anchor/block_number", {
      chain: found.blockNumber,
      receipt: anchor.blockNumber,
    });
  }
  if (found.timestamp !== anchor.timestamp) {
    throw fieldFailed("timestamp_differs", "the block's timestamp differs from the receipt's", "/anchor/timestamp", {
      chain: found.timestamp,
      receipt: anchor.timestamp,
    });
  }
  const blockHash = await chain.blockHash(anchor.blockNumber);
  if (blockHash === null) await requireSynced(chain, anchor.blockNumber);
  if (blockHash !== anchor.blockHash) {
    throw fieldFailed("block_hash_differs", "the block hash on chain differs from the receipt's", "/anchor/block_hash", {
      block: anchor.blockNumber,
    });
  }
  await checkAnchorTransaction(receipt, chain, registry);
  return ["anchor_ok", `anchored in block ${anchor.blockNumber} at ${anchor.timestamp}`, {
    block: anchor.blockNumber,
    timestamp: anchor.timestamp,
  }];
}

/**
 * The configured deployment and the receipt's chain and registry: the trusted
 * AnchorRegistry, which only the page's configuration names.
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @returns {Promise<string>}
 */
async function checkDeployment(receipt, chain) {
  const { anchor } = receipt;
  const trust = await chain.trustAnchors();
  const missing = [
    trust.chainId === null ? "chain id" : null,
    trust.anchor === null ? "AnchorRegistry" : null,
    trust.issuer === null ? "IssuerRegistry" : null,
    trust.status === null ? "StatusRegistry" : null,
  ].filter((name) => name !== null);
  if (trust.chainId === null || trust.anchor === null || missing.length > 0) { // the nulls again, for the types
    throw new StepUncheckable("trust_missing", `no trusted deployment is configured (missing: ${missing.join(", ")})`, {
      missing: missing.join(", "),
    });
  }
  if (anchor.chainId !== trust.chainId) {
    throw fieldFailed("wrong_chain", "the receipt names another chain than the configured one", "/anchor/chain_id", {
      configured_chain_id: trust.chainId,
      receipt_chain_id: anchor.chainId,
    });
  }
  const nodeChainId = await chain.chainId();
  if (nodeChainId !== trust.chainId) {
    throw new StepUncheckable("node_wrong_chain", "the node serves another chain than the configured one", {
      node_chain_id: nodeChainId,
      configured_chain_id: trust.chainId,
    });
  }
  if (anchor.registry !== trust.anchor) {
    throw fieldFailed("registry_untrusted", "the receipt names another AnchorRegistry than the trusted deployment's", "/anchor/registry", {
      trusted: trust.anchor,
      receipt: anchor.registry,
    });
  }
  return trust.anchor;
}

/**
 * Something the receipt names is missing on the node: if the node has not reached the
 * receipt's block yet, that is no evidence against the receipt.
 * @param {ChainReader} chain
 * @param {number} block `/anchor/block_number`
 */
async function requireSynced(chain, block) {
  const head = await chain.blockNumber();
  if (head < block) {
    throw new StepUncheckable("node_not_synced", `node not synced to block ${block}`, { block, head });
  }
}

/**
 * The anchoring transaction exists, succeeded, lies in the named block, went to the
 * registry and emitted `Anchored` for this issuer, tree size and root.
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @param {string} registry
 */
async function checkAnchorTransaction(receipt, chain, registry) {
  const { anchor } = receipt;
  const tx = await chain.transactionReceipt(anchor.txHash);
  if (tx === null) {
    await requireSynced(chain, anchor.blockNumber);
    throw fieldFailed("tx_unknown", "no such transaction", "/anchor/tx_hash", { tx: anchor.txHash });
  }
  if (tx.status !== 1) throw fieldFailed("tx_failed", "the anchoring transaction failed", "/anchor/tx_hash", { tx: anchor.txHash });
  if (tx.blockNumber !== anchor.blockNumber) {
    throw fieldFailed("block_number_differs", "the anchoring transaction is in another block than the receipt says", "/anchor/block_number", {
      chain: tx.blockNumber,
      receipt: anchor.blockNumber,
    });
  }
  if (tx.blockHash !== anchor.blockHash) {
    throw fieldFailed("block_hash_differs", "the anchoring transaction's block hash differs from the receipt's", "/anchor/block_hash", {
      block: anchor.blockNumber,
    });
  }
  if (tx.to !== registry) {
    throw fieldFailed("tx_wrong_registry", "the transaction was not sent to the registry", "/anchor/registry", {
      to: tx.to ?? "",
    });
  }
  if (!tx.logs.some((log) => isAnchoredLog(log, receipt, registry))) {
    throw fieldFailed("tx_no_event", "the transaction did not anchor this checkpoint", "/anchor/tx_hash", { tx: anchor.txHash });
  }
}

/**
 * `Anchored(issuer, size, root, prevSize)` from the registry for this receipt.
 * @param {TxLog} log
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {string} registry
 */
function isAnchoredLog(log, receipt, registry) {
  const word = (/** @type {bigint} */ value) => `0x${value.toString(16).padStart(64, "0")}`;
  return log.address === registry
    && log.topics.length === 3
    && log.topics[0] === ANCHORED_TOPIC
    && log.topics[1] === word(BigInt(receipt.leaf.issuer))
    && log.topics[2] === word(BigInt(receipt.proof.treeSize))
    && log.data.slice(2, 66) === receipt.proof.root;
}

/**
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @param {string} leafHash
 * @param {{issuer: IssuerInfo | null, documentStatus: DocumentStatus | null}} found
 * @returns {Promise<Outcome>}
 */
async function checkIssuerAndStatus(receipt, chain, leafHash, found) {
  const { leaf, anchor } = receipt;
  const info = await chain.issuer(leaf.issuer);
  found.issuer = info;
  if (info === null || !info.registered) {
    throw fieldFailed("issuer_unknown", "the issuer is not registered in the consortium", "/leaf/issuer");
  }
  if (!issuerValidAt(info, anchor.timestamp)) {
    throw fieldFailed("issuer_not_trusted", "the issuer was not trusted when the checkpoint was anchored", "/leaf/issuer", {
      anchored: anchor.timestamp,
    });
  }
  if ((info.roles & ROLE_BITS[leaf.kind]) === 0) {
    throw fieldFailed("kind_not_allowed", `the issuer may not issue documents of kind ${leaf.kind}`, "/leaf/kind", {
      kind: leaf.kind,
    });
  }
  const status = await chain.status(leaf.issuer, leafHash);
  found.documentStatus = status;
  if (status.state !== "valid") {
    /** @type {Record<string, string | number>} */
    const details = { state: status.state, since: status.since, reason: status.reason };
    if (status.supersededBy !== null) details.superseded_by = status.supersededBy;
    throw new StepFailed(`status_${status.state}`, `the document is ${status.state}`, details);
  }
  return ["issuer_ok", `issued by ${info.name} (${info.ags}); status valid`, { name: info.name, ags: info.ags }];
}
