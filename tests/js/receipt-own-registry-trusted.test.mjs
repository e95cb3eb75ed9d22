/**
 * Bug (issue #13, web review): with no AnchorRegistry configured the page verified a
 * receipt against the AnchorRegistry the receipt itself names, and took the
 * IssuerRegistry from that contract's `registry()`; an attacker's receipt with his own
 * registries showed green. The trusted deployment now comes from the page's
 * configuration alone (chain id and all three registries), else "could not check".
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { AbiCoder } from "ethers";

import { loadConfig } from "../../clients/govchain_client/web/js/config.mjs";
import { receiptFromObject } from "../../clients/govchain_client/web/js/receipt.mjs";
import { JsonRpcChainReader } from "../../clients/govchain_client/web/js/rpc.mjs";
import { SELECTORS } from "../../clients/govchain_client/web/js/selectors.mjs";
import { verdictOf, verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { ISSUERS, loadVectors, nodeFor, STATUS } from "./support.mjs";

const RECEIPT = receiptFromObject(loadVectors("receipts.json").valid[0].receipt);
const VECTORS = loadVectors("anchor_tx.json");
const GENUINE_ANCHOR = `0x${"d8".repeat(20)}`;

/**
 * The attacker's chain: his AnchorRegistry (the one his receipt names) anchors his
 * checkpoint and points at his IssuerRegistry, which lists him.
 * @param {string[]} [log] methods and `to:selector` of every request
 */
function attackersNode(log = []) {
  const registryCall = `${VECTORS.registry}:${SELECTORS["AnchorRegistry.registry()"]}`;
  const node = nodeFor(VECTORS, {}, { calls: { [registryCall]: AbiCoder.defaultAbiCoder().encode(["address"], [ISSUERS]) } });
  return /** @type {typeof fetch} */ (async (url, init) => {
    const request = JSON.parse(String(init?.body));
    log.push(request.method === "eth_call" ? `${request.params[0].to}:${request.params[0].data.slice(2, 10)}` : request.method);
    return node(url, init);
  });
}

for (const [name, registries, chainId, missing] of [
  ["nothing configured (config.json missing)", {}, null, "chain id, AnchorRegistry, IssuerRegistry, StatusRegistry"],
  ["only the StatusRegistry typed into the expert settings", { status: STATUS }, null, "chain id, AnchorRegistry, IssuerRegistry"],
  ["no IssuerRegistry configured", { anchor: VECTORS.registry, status: STATUS }, 1337, "IssuerRegistry"],
]) {
  test(`a receipt's own registries are never trusted: ${name}`, async () => {
    /** @type {string[]} */
    const log = [];
    const reader = new JsonRpcChainReader({ url: "http://node.test", chainId, registries, fetch: attackersNode(log) });
    const report = await verifyReceipt(RECEIPT, reader);
    assert.equal(verdictOf(report), "could_not_check", JSON.stringify(report.steps));
    assert.equal(report.failedStep?.code, "trust_missing");
    assert.equal(report.failedStep?.details.missing, missing);
    assert.ok(!log.some((call) => call.startsWith(VECTORS.registry)), `the receipt's registry was read: ${log}`);
  });
}

test("the IssuerRegistry is never learnt from an AnchorRegistry's registry()", async () => {
  /** @type {string[]} */
  const log = [];
  const reader = new JsonRpcChainReader({ url: "http://node.test", registries: { anchor: VECTORS.registry, status: STATUS }, fetch: attackersNode(log) });
  await assert.rejects(reader.issuer(RECEIPT.leaf.issuer), /IssuerRegistry address is not configured/);
  assert.deepEqual(log, []);
});

test("the configured deployment verifies, and a receipt naming another registry is not valid", async () => {
  const registries = { anchor: VECTORS.registry, issuer: ISSUERS, status: STATUS };
  const genuine = new JsonRpcChainReader({ url: "http://node.test", chainId: 1337, registries, fetch: attackersNode() });
  assert.equal(verdictOf(await verifyReceipt(RECEIPT, genuine)), "valid");
  const other = new JsonRpcChainReader({ url: "http://node.test", chainId: 1337, registries: { ...registries, anchor: GENUINE_ANCHOR }, fetch: attackersNode() });
  const report = await verifyReceipt(RECEIPT, other);
  assert.equal(verdictOf(report), "not_valid");
  assert.equal(report.failedStep?.details.field, "/anchor/registry");
});

test("the configured chain id: a receipt of another chain is not valid, a node of another chain cannot check", async () => {
  const registries = { anchor: VECTORS.registry, issuer: ISSUERS, status: STATUS };
  const otherChain = new JsonRpcChainReader({ url: "http://node.test", chainId: 99, registries, fetch: attackersNode() });
  const report = await verifyReceipt(RECEIPT, otherChain);
  assert.equal(verdictOf(report), "not_valid");
  assert.equal(report.failedStep?.code, "wrong_chain");
  assert.equal(report.failedStep?.details.field, "/anchor/chain_id");
  const receipt = { ...RECEIPT, anchor: { ...RECEIPT.anchor, chainId: 99 } };
  const report2 = await verifyReceipt(receipt, otherChain); // the node serves 1337, not the configured 99
  assert.equal(verdictOf(report2), "could_not_check");
  assert.equal(report2.failedStep?.code, "node_wrong_chain");
  assert.equal(report2.failedStep?.details.node_chain_id, 1337);
});

test("a config.json that cannot be loaded is reported with its URL and error, not silently empty", async () => {
  const page = "https://pruefen.example.de/verify/index.html";
  const missing = await loadConfig(page, async () => new Response("", { status: 404 }));
  assert.deepEqual(missing.loadError, { url: "https://pruefen.example.de/verify/config.json", error: "HTTP 404" });
  assert.deepEqual(missing.registries, {});
  const down = await loadConfig(page, async () => {
    throw new TypeError("Failed to fetch");
  });
  assert.deepEqual(down.loadError, { url: "https://pruefen.example.de/verify/config.json", error: "Failed to fetch" });
  const broken = await loadConfig(page, async () => new Response("{", { status: 200 }));
  assert.match(String(broken.loadError?.error), /^not JSON/);
  const good = await loadConfig(page, async () => new Response(JSON.stringify({ chainId: 1337 })));
  assert.equal(good.loadError, null);
  assert.equal(good.chainId, 1337);
});
