/**
 * Bug (issue #13): a node that has not yet reached the receipt's block lacks its
 * checkpoint, block and transaction, and the page said "not valid". When something
 * the receipt names is missing, the node's head (`eth_blockNumber`) decides: below
 * `/anchor/block_number` the verdict is "could not check" (node not synced to block N).
 * JS-only cases, beside tests/vectors/anchor_tx.json until the Python core has the rule.
 */

import { test } from "node:test";
import assert from "node:assert/strict";

import { receiptFromObject } from "../../clients/govchain_client/web/js/receipt.mjs";
import { JsonRpcChainReader } from "../../clients/govchain_client/web/js/rpc.mjs";
import { verdictOf, verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { ISSUERS, loadVectors, nodeFor, STATUS } from "./support.mjs";

const RECEIPT = receiptFromObject(loadVectors("receipts.json").valid[0].receipt);
const VECTORS = loadVectors("anchor_tx.json");
const BLOCK = RECEIPT.anchor.blockNumber; // 42

for (const [missing, kase, node, code] of [
  ["the checkpoint", { checkpoint_set: { block_number: 0 } }, {}, "no_checkpoint"],
  ["the block", {}, { noBlock: true }, "block_hash_differs"],
  ["the transaction", { tx_receipt: null }, {}, "tx_unknown"],
]) {
  for (const [head, verdict] of [[BLOCK - 1, "could_not_check"], [BLOCK, "not_valid"], [BLOCK + 100, "not_valid"]]) {
    test(`node not synced: ${missing} missing with the node's head at ${head} (receipt block ${BLOCK}) is ${verdict}`, async () => {
      const reader = new JsonRpcChainReader({
        url: "http://node.test",
        chainId: 1337,
        registries: { anchor: VECTORS.registry, issuer: ISSUERS, status: STATUS },
        fetch: nodeFor(VECTORS, kase, { ...node, head }),
      });
      const report = await verifyReceipt(RECEIPT, reader);
      assert.equal(verdictOf(report), verdict, JSON.stringify(report.steps));
      assert.equal(report.failedStep?.name, "anchor");
      if (verdict === "could_not_check") {
        assert.equal(report.failedStep?.code, "node_not_synced");
        assert.equal(report.failedStep?.message, `node not synced to block ${BLOCK}`);
        assert.equal(report.failedStep?.details.head, head);
      } else {
        assert.equal(report.failedStep?.code, code);
      }
    });
  }
}

test("node not synced: a node whose head cannot be read leaves the check open, never not valid", async () => {
  const node = nodeFor(VECTORS, { tx_receipt: null });
  const reader = new JsonRpcChainReader({
    url: "http://node.test",
    chainId: 1337,
    registries: { anchor: VECTORS.registry, issuer: ISSUERS, status: STATUS },
    fetch: async (url, init) => {
      if (JSON.parse(String(init?.body)).method === "eth_blockNumber") return new Response("bad gateway", { status: 502 });
      return node(url, init);
    },
  });
  const report = await verifyReceipt(RECEIPT, reader);
  assert.equal(verdictOf(report), "could_not_check");
  assert.equal(report.failedStep?.code, "chain_unreadable");
});
