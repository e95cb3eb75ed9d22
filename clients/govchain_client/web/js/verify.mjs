/**
 * Receipt verification in four steps, each reported on its own, as
 * core/govchain_core/verify.py does:
 *
 * 1. `format`     the receipt is well-formed and, when a document is given, names its digest;
 * 2. `inclusion`  the leaf's inclusion proof leads to the checkpoint root;
 * 3. `anchor`     that checkpoint `(issuer, size, root)` is anchored on the consortium
 *                 chain, in the block the receipt names;
 * 4. `issuer`     the issuer is trusted for this kind of document, and the document's
 *                 status now is valid (not suspended, revoked or superseded).
 *
 * Steps 3 and 4 read the chain through an injected {@link ChainReader} (the JSON-RPC
 * reader of rpc.mjs in the page, an in-memory one in tests), so the notary need
 * not be trusted. A step after a failed one is skipped; an unreadable chain is an
 * `error`, not a `failed`. Each result carries a stable `code` for the page's
 * translations besides the English message the Python core writes.
 *
 * @module verify
 */

import { ChainError, ProofError } from "./errors.mjs";
import { fromHex, toHex } from "./bytes.mjs";
import { formatDigest } from "./digest.mjs";
import { verifyInclusion } from "./merkle.mjs";
import { receiptLeafHash } from "./receipt.mjs";

/** @type {Readonly<Record<string, number>>} */
export const ROLE_BITS = Object.freeze({ certificate: 1, register: 2, iot: 4, dataset: 8 });
export const STEP_NAMES = Object.freeze(["format", "inclusion", "anchor", "issuer"]);
/** Status codes as the StatusRegistry stores them. */
export const DOCUMENT_STATES = Object.freeze(["valid", "suspended", "revoked", "superseded"]);

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
 * What verification needs from a consortium node; any method may throw `ChainError`.
 * @typedef {object} ChainReader
 * @property {() => Promise<number>} chainId
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

/**
 * Run the four steps; never throws for a bad receipt, only reports.
 * @param {import("./receipt.mjs").Receipt} receipt
 * @param {ChainReader} chain
 * @param {{document?: import("./digest.mjs").Digest | null, now?: () => number}} [options]
 * @returns {Promise<VerificationReport>}
 */
export async function verifyReceipt(receipt, chain, options = {}) {
  const document = options.document ?? null;
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
    steps.push(await run(name, check));
  }
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
    if (error instanceof StepFailed) {
      return { name, status: "failed", code: error.code, message: error.message, details: error.details };
    }
    if (error instanceof ChainError) {
      return { name, status: "error", code: "chain_unreadable", message: `could not read the chain: ${error.message}`, details: {} };
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
    throw new StepFailed("document_mismatch", "the document does not match the receipt", {
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
      throw new StepFailed("inclusion_rejected", `inclusion proof rejected: ${error.message}`);
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
  const chainId = await chain.chainId();
  if (chainId !== anchor.chainId) {
    throw new StepFailed("wrong_chain", "the node serves a different chain", {
      node_chain_id: chainId,
      receipt_chain_id: anchor.chainId,
    });
  }
  const found = await chain.checkpoint(anchor.registry, receipt.leaf.issuer, proof.treeSize);
  if (found === null) {
    throw new StepFailed("no_checkpoint", "no such checkpoint is anchored on chain", { size: proof.treeSize });
  }
  if (found.root !== proof.root) {
    throw new StepFailed("root_differs", "the anchored root differs from the receipt's root", {
      chain_root: found.root,
      receipt_root: proof.root,
    });
  }
  if (found.blockNumber !== anchor.blockNumber || found.timestamp !== anchor.timestamp) {
    throw new StepFailed("block_differs", "the checkpoint was anchored in another block than the receipt says", {
      chain_block: found.blockNumber,
      receipt_block: anchor.blockNumber,
    });
  }
  const blockHash = await chain.blockHash(anchor.blockNumber);
  if (blockHash !== anchor.blockHash) {
    throw new StepFailed("block_hash_differs", "the block hash on chain differs from the receipt's", {
      block: anchor.blockNumber,
    });
  }
  return ["anchor_ok", `anchored in block ${anchor.blockNumber} at ${anchor.timestamp}`, {
    block: anchor.blockNumber,
    timestamp: anchor.timestamp,
  }];
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
    throw new StepFailed("issuer_unknown", "the issuer is not registered in the consortium");
  }
  if (!issuerValidAt(info, anchor.timestamp)) {
    throw new StepFailed("issuer_not_trusted", "the issuer was not trusted when the checkpoint was anchored", {
      anchored: anchor.timestamp,
    });
  }
  if ((info.roles & ROLE_BITS[leaf.kind]) === 0) {
    throw new StepFailed("kind_not_allowed", `the issuer may not issue documents of kind ${leaf.kind}`, {
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
