/**
 * The anchor step's transaction check on the shared vectors (tests/vectors/anchor_tx.json):
 * the page's JSON-RPC reader and verifier against a node answering from each case.
 */

import { test } from "node:test";
import assert from "node:assert/strict";

import { receiptFromObject } from "../../clients/govchain_client/web/js/receipt.mjs";
import { JsonRpcChainReader } from "../../clients/govchain_client/web/js/rpc.mjs";
import { TOPICS } from "../../clients/govchain_client/web/js/selectors.mjs";
import { ANCHORED_TOPIC, verdictOf, verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { ISSUERS, loadVectors, nodeFor, setPointer, STATUS } from "./support.mjs";

const RECEIPT = loadVectors("receipts.json").valid[0].receipt;
const VECTORS = loadVectors("anchor_tx.json");

test("the Anchored topic is keccak-256 of the event's signature", () => {
  assert.equal(ANCHORED_TOPIC, VECTORS.anchored_topic);
  assert.deepEqual(Object.keys(TOPICS), ["AnchorRegistry.Anchored(address,uint64,bytes32,uint64)"]);
});

for (const kase of VECTORS.cases) {
  test(`anchor transaction vector: ${kase.name}`, async () => {
    const object = structuredClone(RECEIPT);
    for (const [pointer, value] of Object.entries(kase.receipt_set ?? {})) setPointer(object, pointer, value);
    const reader = new JsonRpcChainReader({
      url: "http://node.test",
      chainId: 1337,
      registries: { anchor: VECTORS.registry, issuer: ISSUERS, status: STATUS },
      fetch: nodeFor(VECTORS, kase),
    });
    const report = await verifyReceipt(receiptFromObject(object), reader);
    const anchor = /** @type {any} */ (report.steps.find((s) => s.name === "anchor"));
    assert.equal(verdictOf(report), kase.verdict, JSON.stringify(report.steps));
    assert.equal(anchor.code, kase.code);
    assert.equal(anchor.details.field ?? null, kase.field);
    if (kase.verdict === "could_not_check") assert.equal(anchor.details.url, "http://node.test");
  });
}
