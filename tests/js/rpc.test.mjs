import { test } from "node:test";
import assert from "node:assert/strict";
import { AbiCoder } from "ethers";

import { ChainError } from "../../clients/govchain_client/web/js/errors.mjs";
import { JsonRpcChainReader } from "../../clients/govchain_client/web/js/rpc.mjs";
import { SELECTORS } from "../../clients/govchain_client/web/js/selectors.mjs";

const abi = AbiCoder.defaultAbiCoder();
const ANCHOR = `0x${"a5".repeat(20)}`;
const ISSUERS = `0x${"b6".repeat(20)}`;
const STATUS = `0x${"c7".repeat(20)}`;
const ISSUER = `0x${"11".repeat(20)}`;
const LEAF = "22".repeat(32);

/**
 * A node answering from a table: `answers[method]` or, for eth_call, `calls[to + selector]`.
 * @param {Record<string, unknown>} calls
 * @param {{log?: any[], status?: number, error?: any, raw?: string}} [options]
 */
function fakeNode(calls, options = {}) {
  const log = options.log ?? [];
  /** @type {typeof fetch} */
  const fetcher = async (_url, init) => {
    const request = JSON.parse(String(init?.body));
    log.push(request);
    /** @param {unknown} body */
    const reply = (body) => new Response(typeof body === "string" ? body : JSON.stringify(body), { status: options.status ?? 200 });
    if (options.raw !== undefined) return reply(options.raw);
    if (options.error) return reply({ jsonrpc: "2.0", id: request.id, error: options.error });
    let result;
    if (request.method === "eth_chainId") result = "0x539";
    else if (request.method === "eth_getBlockByNumber") result = request.params[0] === "0x2a" ? { hash: `0x${"CD".repeat(32)}`, number: "0x2a" } : null;
    else if (request.method === "eth_call") {
      const { to, data } = request.params[0];
      result = calls[`${to}:${data.slice(2, 10)}`] ?? "0x";
    }
    return reply({ jsonrpc: "2.0", id: request.id, result });
  };
  return fetcher;
}

const checkpointCall = `${ANCHOR}:${SELECTORS["AnchorRegistry.checkpoint(address,uint64)"]}`;
const issuerCall = `${ISSUERS}:${SELECTORS["IssuerRegistry.getIssuer(address)"]}`;
const statusCall = `${STATUS}:${SELECTORS["StatusRegistry.status(address,bytes32)"]}`;
const registryCall = `${ANCHOR}:${SELECTORS["AnchorRegistry.registry()"]}`;
const issuerTuple = ["tuple(string,string,uint8,uint64,uint64,bool,uint64,uint64)"];

test("checkpoint, block hash and chain id are read and decoded", async () => {
  /** @type {any[]} */
  const log = [];
  const reader = new JsonRpcChainReader({
    url: "http://node",
    registries: { anchor: ANCHOR },
    fetch: fakeNode({ [checkpointCall]: abi.encode(["bytes32", "uint64", "uint64"], [`0x${"ab".repeat(32)}`, 42, 1_790_000_000]) }, { log }),
  });
  assert.equal(await reader.chainId(), 1337);
  assert.deepEqual(await reader.checkpoint(ANCHOR, ISSUER, 7), { root: "ab".repeat(32), blockNumber: 42, timestamp: 1_790_000_000 });
  assert.equal(await reader.blockHash(42), `0x${"cd".repeat(32)}`);
  assert.equal(await reader.blockHash(43), null);
  const call = log.find((r) => r.method === "eth_call");
  assert.equal(call.params[0].data, `0x9c606d0e${"11".repeat(20).padStart(64, "0")}${"7".padStart(64, "0")}`);
  assert.equal(call.params[1], "latest");
});

test("an unanchored checkpoint, a missing contract and a foreign registry read as none", async () => {
  const zero = abi.encode(["bytes32", "uint64", "uint64"], [`0x${"00".repeat(32)}`, 0, 0]);
  const reader = new JsonRpcChainReader({ url: "http://node", registries: { anchor: ANCHOR }, fetch: fakeNode({ [checkpointCall]: zero }) });
  assert.equal(await reader.checkpoint(ANCHOR, ISSUER, 7), null);
  assert.equal(await reader.checkpoint(`0x${"ee".repeat(20)}`, ISSUER, 7), null);
  const empty = new JsonRpcChainReader({ url: "http://node", fetch: fakeNode({}) });
  assert.equal(await empty.checkpoint(ANCHOR, ISSUER, 7), null);
});

test("issuers are read with their strings from the configured IssuerRegistry", async () => {
  const info = abi.encode(issuerTuple, [["Stadt Köln, Bürgeramt", "05315000", 3, 10, 0, true, 1_700_000_000, 0]]);
  const reader = new JsonRpcChainReader({
    url: "http://node",
    registries: { anchor: ANCHOR, issuer: ISSUERS },
    fetch: fakeNode({ [issuerCall]: info }),
  });
  assert.deepEqual(await reader.issuer(ISSUER), {
    address: ISSUER, name: "Stadt Köln, Bürgeramt", ags: "05315000", roles: 3, validFrom: 10, validUntil: 0, registered: true,
  });
  const removed = abi.encode(issuerTuple, [["Alt", "05315000", 1, 0, 2n ** 64n - 1n, false, 5, 9]]);
  const other = new JsonRpcChainReader({ url: "http://node", registries: { issuer: ISSUERS }, fetch: fakeNode({ [issuerCall]: removed }) });
  const got = await other.issuer(ISSUER);
  assert.equal(got?.registered, false);
  assert.equal(got?.validUntil, Number.MAX_SAFE_INTEGER);
  const never = abi.encode(issuerTuple, [["", "", 0, 0, 0, false, 0, 0]]);
  const none = new JsonRpcChainReader({ url: "http://node", registries: { issuer: ISSUERS }, fetch: fakeNode({ [issuerCall]: never }) });
  assert.equal(await none.issuer(ISSUER), null);
});

test("document status is decoded, superseded with its successor", async () => {
  const data = abi.encode(["uint8", "uint64", "bytes32", "uint32"], [3, 1_795_000_000, `0x${"ef".repeat(32)}`, 4]);
  const reader = new JsonRpcChainReader({ url: "http://node", registries: { status: STATUS }, fetch: fakeNode({ [statusCall]: data }) });
  assert.deepEqual(await reader.status(ISSUER, LEAF), { state: "superseded", since: 1_795_000_000, supersededBy: "ef".repeat(32), reason: 4 });
  const valid = abi.encode(["uint8", "uint64", "bytes32", "uint32"], [0, 0, `0x${"00".repeat(32)}`, 0]);
  const fresh = new JsonRpcChainReader({ url: "http://node", registries: { status: STATUS }, fetch: fakeNode({ [statusCall]: valid }) });
  assert.deepEqual(await fresh.status(ISSUER, LEAF), { state: "valid", since: 0, supersededBy: null, reason: 0 });
});

test("every failure to read is a ChainError", async () => {
  const noStatus = new JsonRpcChainReader({ url: "http://node", fetch: fakeNode({}) });
  await assert.rejects(noStatus.status(ISSUER, LEAF), ChainError);
  const reverted = new JsonRpcChainReader({ url: "http://node", fetch: fakeNode({}, { error: { code: 3, message: "execution reverted" } }) });
  await assert.rejects(reverted.chainId(), /execution reverted/);
  const html = new JsonRpcChainReader({ url: "http://node", fetch: fakeNode({}, { raw: "<html>", status: 502 }) });
  await assert.rejects(html.chainId(), ChainError);
  const down = new JsonRpcChainReader({ url: "http://node", fetch: async () => { throw new TypeError("Failed to fetch"); } });
  await assert.rejects(down.chainId(), ChainError);
  const short = new JsonRpcChainReader({ url: "http://node", registries: { status: STATUS }, fetch: fakeNode({ [statusCall]: "0x1234" }) });
  await assert.rejects(short.status(ISSUER, LEAF), ChainError);
  const badState = abi.encode(["uint8", "uint64", "bytes32", "uint32"], [9, 0, `0x${"00".repeat(32)}`, 0]);
  const weird = new JsonRpcChainReader({ url: "http://node", registries: { status: STATUS }, fetch: fakeNode({ [statusCall]: badState }) });
  await assert.rejects(weird.status(ISSUER, LEAF), ChainError);
});

test("a transaction receipt is read in lower case, and null when the node knows none", async () => {
  const tx = {
    status: "0x1", blockNumber: "0x2a", blockHash: `0x${"CD".repeat(32)}`, to: `0x${"A5".repeat(20)}`,
    logs: [{ address: `0x${"A5".repeat(20)}`, topics: [`0x${"AB".repeat(32)}`], data: "0x00FF" }],
  };
  /** @type {typeof fetch} */
  const node = async (_url, init) => {
    const request = JSON.parse(String(init?.body));
    const result = request.params[0] === `0x${"11".repeat(32)}` ? tx : null;
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
  };
  const reader = new JsonRpcChainReader({ url: "http://node", fetch: node });
  assert.deepEqual(await reader.transactionReceipt(`0x${"11".repeat(32)}`), {
    status: 1, blockNumber: 42, blockHash: `0x${"cd".repeat(32)}`, to: ANCHOR,
    logs: [{ address: ANCHOR, topics: [`0x${"ab".repeat(32)}`], data: "0x00ff" }],
  });
  assert.equal(await reader.transactionReceipt(`0x${"22".repeat(32)}`), null);
  for (const broken of [{ ...tx, logs: "none" }, { ...tx, status: 1 }, { ...tx, to: "0x12" },
    { ...tx, logs: [{ address: ANCHOR, topics: ["0x12"], data: "0x" }] }, { ...tx, logs: [{ address: ANCHOR, topics: [], data: "0x0" }] }]) {
    /** @type {typeof fetch} */
    const odd = async (_url, init) => new Response(JSON.stringify({ jsonrpc: "2.0", id: JSON.parse(String(init?.body)).id, result: broken }));
    await assert.rejects(new JsonRpcChainReader({ url: "http://node", fetch: odd }).transactionReceipt(`0x${"11".repeat(32)}`), ChainError);
  }
});

test("a read failure names the node; an aborted reader rejects with the abort, not a ChainError", async () => {
  const down = new JsonRpcChainReader({ url: "http://node.example:8545", fetch: async () => { throw new TypeError("Failed to fetch"); } });
  await assert.rejects(down.chainId(), (/** @type {any} */ error) => error instanceof ChainError && error.url === "http://node.example:8545");
  const slow = new JsonRpcChainReader({ url: "http://node", timeoutMs: 50, fetch: (_url, init) => new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  }) });
  await assert.rejects(slow.chainId(), /no answer within 0.05 s/);
  const controller = new AbortController();
  const aborted = new JsonRpcChainReader({ url: "http://node", signal: controller.signal, fetch: (_url, init) => new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  }) });
  const pending = aborted.chainId();
  controller.abort(new Error("inputs changed"));
  await assert.rejects(pending, (/** @type {any} */ error) => !(error instanceof ChainError) && /inputs changed/.test(error.message));
});
