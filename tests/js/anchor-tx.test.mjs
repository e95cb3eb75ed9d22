/**
 * The anchor step's transaction check on the shared vectors (tests/vectors/anchor_tx.json):
 * the page's JSON-RPC reader and verifier against a node answering from each case.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { AbiCoder } from "ethers";

import { receiptFromObject } from "../../clients/govchain_client/web/js/receipt.mjs";
import { JsonRpcChainReader } from "../../clients/govchain_client/web/js/rpc.mjs";
import { SELECTORS, TOPICS } from "../../clients/govchain_client/web/js/selectors.mjs";
import { ANCHORED_TOPIC, verdictOf, verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { loadVectors } from "./support.mjs";

const abi = AbiCoder.defaultAbiCoder();
const RECEIPT = loadVectors("receipts.json").valid[0].receipt;
const VECTORS = loadVectors("anchor_tx.json");
const ISSUERS = `0x${"b6".repeat(20)}`;
const STATUS = `0x${"c7".repeat(20)}`;

/**
 * Set `value` at a JSON pointer inside `target` (which it changes).
 * @param {any} target
 * @param {string} pointer
 * @param {unknown} value
 */
function setPointer(target, pointer, value) {
  const keys = pointer.split("/").slice(1);
  const last = /** @type {string} */ (keys.pop());
  for (const key of keys) target = target[key];
  target[last] = value;
}

/**
 * A node that answers the verifier's reads as the vector case says.
 * @param {any} vector
 * @param {any} kase
 * @returns {typeof fetch}
 */
function nodeFor(vector, kase) {
  const tx = structuredClone(vector.tx_receipt);
  for (const [pointer, value] of Object.entries(kase.tx_set ?? {})) setPointer(tx, pointer, value);
  const checkpoint = { ...vector.checkpoint, ...kase.checkpoint_set };
  const blockHash = kase.block_hash ?? vector.block_hash;
  const issuer = abi.encode(["tuple(string,string,uint8,uint64,uint64,bool,uint64,uint64)"],
    [["Bürgeramt Musterstadt", "05315000", 1, 0, 0, true, 1, 0]]);
  const calls = {
    [`${vector.registry}:${SELECTORS["AnchorRegistry.checkpoint(address,uint64)"]}`]:
      abi.encode(["bytes32", "uint64", "uint64"], [`0x${checkpoint.root}`, checkpoint.block_number, checkpoint.timestamp]),
    [`${ISSUERS}:${SELECTORS["IssuerRegistry.getIssuer(address)"]}`]: issuer,
    [`${STATUS}:${SELECTORS["StatusRegistry.status(address,bytes32)"]}`]:
      abi.encode(["uint8", "uint64", "bytes32", "uint32"], [0, 0, `0x${"00".repeat(32)}`, 0]),
  };
  return async (_url, init) => {
    const request = JSON.parse(String(init?.body));
    let result = null;
    if (request.method === "eth_chainId") result = "0x539";
    if (request.method === "eth_getTransactionReceipt") {
      result = Object.hasOwn(kase, "tx_receipt") || request.params[0] !== tx.transactionHash ? null : tx;
    }
    if (request.method === "eth_getBlockByNumber") result = { hash: blockHash, number: request.params[0] };
    if (request.method === "eth_call") {
      const { to, data } = request.params[0];
      result = calls[`${to}:${data.slice(2, 10)}`] ?? "0x";
    }
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
  };
}

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
