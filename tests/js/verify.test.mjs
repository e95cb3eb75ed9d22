import { test } from "node:test";
import assert from "node:assert/strict";

import { ChainError } from "../../clients/govchain_client/web/js/errors.mjs";
import { digestBytes } from "../../clients/govchain_client/web/js/digest.mjs";
import { receiptFromObject } from "../../clients/govchain_client/web/js/receipt.mjs";
import { verdictOf, verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { chainFor, loadVectors } from "./support.mjs";

const VECTORS = loadVectors("receipts.json");
const receipt = () => receiptFromObject(structuredClone(VECTORS.valid[0].receipt));
/** @param {{status: string}[]} steps */
const statuses = (steps) => steps.map((s) => s.status);
const encode = (/** @type {string} */ text) => new TextEncoder().encode(text);

test("a good receipt passes all four steps and reports the issuer", async () => {
  const r = receipt();
  const report = await verifyReceipt(r, chainFor(r), { document: await digestBytes(encode(VECTORS.document)) });
  assert.ok(report.ok, JSON.stringify(report.steps));
  assert.deepEqual(report.steps.map((s) => s.name), ["format", "inclusion", "anchor", "issuer"]);
  assert.equal(report.issuer?.ags, "05315000");
  assert.equal(report.documentStatus?.state, "valid");
  assert.equal(report.leafHash, VECTORS.leaf_hash);
});

test("another document fails the format step and skips the rest", async () => {
  const r = receipt();
  const report = await verifyReceipt(r, chainFor(r), { document: await digestBytes(encode("tampered")) });
  assert.deepEqual(statuses(report.steps), ["failed", "skipped", "skipped", "skipped"]);
  assert.equal(report.failedStep?.code, "document_mismatch");
});

test("a tampered path fails inclusion", async () => {
  const r = receipt();
  const bad = { ...r, proof: { ...r.proof, path: ["00".repeat(32), ...r.proof.path.slice(1)] } };
  const report = await verifyReceipt(bad, chainFor(r));
  assert.deepEqual(statuses(report.steps), ["passed", "failed", "skipped", "skipped"]);
});

for (const [fault, code, field] of [
  ["no checkpoint", "no_checkpoint", "/proof/tree_size"],
  ["other root", "root_differs", "/proof/root"],
  ["other block", "block_number_differs", "/anchor/block_number"],
  ["other timestamp", "timestamp_differs", "/anchor/timestamp"],
  ["other hash", "block_hash_differs", "/anchor/block_hash"],
  ["other chain", "wrong_chain", "/anchor/chain_id"],
  ["other registry", "registry_untrusted", "/anchor/registry"],
  ["no transaction", "tx_unknown", "/anchor/tx_hash"],
]) {
  test(`anchor fault "${fault}" fails the anchor step`, async () => {
    const r = receipt();
    const chain = chainFor(r);
    const key = `${r.leaf.issuer}/${r.proof.treeSize}`;
    const found = /** @type {any} */ (chain.checkpoints.get(key));
    if (fault === "no checkpoint") chain.checkpoints.delete(key);
    if (fault === "other root") chain.checkpoints.set(key, { ...found, root: "ee".repeat(32) });
    if (fault === "other block") chain.checkpoints.set(key, { ...found, blockNumber: 43 });
    if (fault === "other timestamp") chain.checkpoints.set(key, { ...found, timestamp: found.timestamp + 1 });
    if (fault === "no transaction") chain.transactions.clear();
    if (fault === "other hash") chain.blockHashes.set(42, `0x${"ee".repeat(32)}`);
    if (fault === "other chain") {
      chain.id = 1; // the page is configured for chain 1 and its node serves it
      chain.trusted.chainId = 1;
    }
    if (fault === "other registry") {
      chain.registry = `0x${"b6".repeat(20)}`;
      chain.trusted.anchor = chain.registry;
    }
    const report = await verifyReceipt(r, chain);
    assert.deepEqual(statuses(report.steps), ["passed", "passed", "failed", "skipped"]);
    assert.equal(report.failedStep?.code, code);
    assert.equal(report.failedStep?.details.field, field);
    assert.equal(verdictOf(report), "not_valid");
  });
}

test("a timestamp one second off names the timestamp, never another block", async () => {
  const r = receipt();
  const chain = chainFor(r);
  const key = `${r.leaf.issuer}/${r.proof.treeSize}`;
  const found = /** @type {any} */ (chain.checkpoints.get(key));
  chain.checkpoints.set(key, { ...found, timestamp: found.timestamp + 1 });
  const step = /** @type {any} */ ((await verifyReceipt(r, chain)).failedStep);
  assert.equal(step.details.field, "/anchor/timestamp");
  assert.doesNotMatch(step.message, /another block/);
});

test("an aborted check rejects with the abort reason instead of reporting", async () => {
  const r = receipt();
  const controller = new AbortController();
  const chain = chainFor(r);
  const original = chain.chainId.bind(chain);
  chain.chainId = async () => {
    controller.abort(new Error("inputs changed"));
    return original();
  };
  await assert.rejects(verifyReceipt(r, chain, { signal: controller.signal }), /inputs changed/);
});

for (const [fault, code] of [
  ["unknown issuer", "issuer_unknown"],
  ["removed issuer", "issuer_unknown"],
  ["not yet valid", "issuer_not_trusted"],
  ["expired", "issuer_not_trusted"],
  ["wrong role", "kind_not_allowed"],
]) {
  test(`issuer fault "${fault}" fails the issuer step`, async () => {
    const r = receipt();
    const chain = chainFor(r);
    const info = /** @type {any} */ (chain.issuers.get(r.leaf.issuer));
    if (fault === "unknown issuer") chain.issuers.delete(r.leaf.issuer);
    if (fault === "removed issuer") chain.issuers.set(r.leaf.issuer, { ...info, registered: false });
    if (fault === "not yet valid") chain.issuers.set(r.leaf.issuer, { ...info, validFrom: r.anchor.timestamp + 1 });
    if (fault === "expired") chain.issuers.set(r.leaf.issuer, { ...info, validUntil: r.anchor.timestamp - 1 });
    if (fault === "wrong role") chain.issuers.set(r.leaf.issuer, { ...info, roles: 2 | 4 | 8 });
    const report = await verifyReceipt(r, chain);
    assert.deepEqual(statuses(report.steps), ["passed", "passed", "passed", "failed"]);
    assert.equal(report.failedStep?.code, code);
  });
}

for (const state of ["suspended", "revoked", "superseded"]) {
  test(`a ${state} document fails the issuer step with its date`, async () => {
    const r = receipt();
    const chain = chainFor(r);
    const successor = state === "superseded" ? "ab".repeat(32) : null;
    chain.statuses.set(`${r.leaf.issuer}/${VECTORS.leaf_hash}`, { state, since: 1_795_000_000, supersededBy: successor, reason: 3 });
    const report = await verifyReceipt(/** @type {any} */ (r), chain);
    assert.equal(report.failedStep?.name, "issuer");
    assert.equal(report.failedStep?.code, `status_${state}`);
    assert.equal(report.failedStep?.details.since, 1_795_000_000);
    assert.equal(report.documentStatus?.state, state);
    assert.equal(report.issuer?.name, "Bürgeramt Musterstadt");
    if (successor) assert.equal(report.failedStep?.details.superseded_by, successor);
  });
}

test("an unreadable chain is an error, not a failure", async () => {
  const r = receipt();
  const chain = chainFor(r);
  chain.chainId = async () => {
    throw new ChainError("node down");
  };
  const report = await verifyReceipt(r, chain);
  assert.deepEqual(statuses(report.steps), ["passed", "passed", "error", "skipped"]);
  assert.equal(report.failedStep?.code, "chain_unreadable");
  assert.equal(verdictOf(report), "could_not_check");
});

test("the three verdicts", async () => {
  const r = receipt();
  assert.equal(verdictOf(await verifyReceipt(r, chainFor(r))), "valid");
  const revoked = chainFor(r);
  revoked.statuses.set(`${r.leaf.issuer}/${VECTORS.leaf_hash}`, { state: "revoked", since: 5, supersededBy: null, reason: 1 });
  assert.equal(verdictOf(await verifyReceipt(r, revoked)), "not_valid");
});
