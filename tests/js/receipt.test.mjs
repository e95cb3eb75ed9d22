import { test } from "node:test";
import assert from "node:assert/strict";

import { toHex } from "../../clients/govchain_client/web/js/bytes.mjs";
import { ReceiptError, ReceiptFieldError } from "../../clients/govchain_client/web/js/errors.mjs";
import { leafCanonicalBytes } from "../../clients/govchain_client/web/js/leaf.mjs";
import {
  decodeReceipt,
  receiptFromObject,
  receiptLeafHash,
  receiptToObject,
} from "../../clients/govchain_client/web/js/receipt.mjs";
import { digestBytes, formatDigest } from "../../clients/govchain_client/web/js/digest.mjs";
import { canonicalText } from "../../clients/govchain_client/web/js/jcs.mjs";
import { verifyReceipt } from "../../clients/govchain_client/web/js/verify.mjs";
import { chainFor, loadVectors } from "./support.mjs";

const VECTORS = loadVectors("receipts.json");
const GOOD = VECTORS.valid[0].receipt;
const NOW = () => 1_800_000_000;

test("the valid receipt decodes; leaf bytes, leaf hash and digest match the Python core", async () => {
  for (const c of VECTORS.valid) {
    const r = decodeReceipt(JSON.stringify(c.receipt));
    assert.equal(new TextDecoder().decode(leafCanonicalBytes(r.leaf)), VECTORS.leaf_canonical);
    assert.equal(toHex(await receiptLeafHash(r)), VECTORS.leaf_hash);
    assert.equal(formatDigest(await digestBytes(new TextEncoder().encode(VECTORS.document))), VECTORS.document_digest);
    assert.equal(canonicalText(receiptToObject(r)), canonicalText(c.receipt));
  }
});

for (const c of VECTORS.invalid) {
  test(`invalid receipt "${c.name}" is refused with ${c.error}`, () => {
    assert.throws(
      () => decodeReceipt(c.text),
      (/** @type {any} */ error) => {
        assert.ok(error instanceof ReceiptError, `${error}`);
        assert.equal(error.name, c.error, error.message);
        return true;
      },
    );
  });
}

for (const c of VECTORS.tampered) {
  test(`tampered receipt "${c.name}" fails at the ${c.failing_step} step`, async () => {
    const good = receiptFromObject(GOOD);
    const report = await verifyReceipt(decodeReceipt(c.text), chainFor(good), { now: NOW });
    assert.equal(report.ok, false);
    assert.equal(report.failedStep?.name, c.failing_step);
    assert.equal(report.failedStep?.status, "failed");
  });
}

/**
 * @param {(obj: any) => void} change
 * @returns {string}
 */
function variant(change) {
  const obj = structuredClone(GOOD);
  change(obj);
  return JSON.stringify(obj);
}

/**
 * @param {string} text
 * @param {string} field
 */
function refusedAt(text, field) {
  assert.throws(() => decodeReceipt(text), (/** @type {any} */ error) => {
    assert.ok(error instanceof ReceiptFieldError, `${error}`);
    assert.equal(error.field, field);
    return true;
  });
}

test("field errors name the field as a JSON pointer", () => {
  refusedAt(variant((o) => { o.proof.path[1] = "AB".repeat(32); }), "/proof/path/1");
  refusedAt(variant((o) => { delete o.anchor.timestamp; }), "/anchor/timestamp");
  refusedAt(variant((o) => { o.anchor.chain_id = 0; }), "/anchor/chain_id");
  refusedAt(variant((o) => { o.anchor.block_number = 2 ** 53; }), "/anchor/block_number");
  refusedAt(variant((o) => { o.anchor.timestamp = true; }), "/anchor/timestamp");
  refusedAt(variant((o) => { o.anchor.registry = o.anchor.registry.toUpperCase().replace("0X", "0x"); }), "/anchor/registry");
  refusedAt(variant((o) => { o.leaf.extra = 1; }), "/leaf");
  refusedAt(variant((o) => { o.leaf.v = 2; }), "/leaf");
  refusedAt(variant((o) => { o.leaf.device = "sensor-1"; }), "/leaf");
  refusedAt(variant((o) => { o.proof.path = Array(65).fill("00".repeat(32)); }), "/proof/path");
  refusedAt(variant((o) => { o.type = "other"; }), "/type");
  refusedAt(variant((o) => { o.version = "1.00"; }), "/version");
  refusedAt(variant((o) => { o.proof.extra = 1; }), "/proof/extra");
  refusedAt("null", "/");
});

test("integers beyond 2^53 and long literals are refused, never rounded", () => {
  const text = JSON.stringify(GOOD);
  refusedAt(text.replace('"block_number":42', '"block_number":9007199254740993'), "/anchor/block_number");
  assert.throws(() => decodeReceipt(text.replace('"block_number":42', `"block_number":${"9".repeat(5000)}`)), { name: "ReceiptSyntaxError" });
});

test("a later 1.x minor may add fields; a 1.0 receipt may not", () => {
  const extended = variant((o) => { o.version = "1.3"; o.extra = { x: 1 }; o.anchor.note = "n"; });
  assert.equal(decodeReceipt(extended).anchor.blockNumber, 42);
  refusedAt(variant((o) => { o.extra = 1; }), "/extra");
});

test("syntax: BOM, surrounding whitespace, escapes and bytes input are as Python reads them", () => {
  const text = JSON.stringify(GOOD);
  assert.equal(decodeReceipt(`\ufeff \n${text}\t\r\n`).proof.index, 5);
  assert.equal(decodeReceipt(new TextEncoder().encode(text)).proof.index, 5);
  assert.equal(decodeReceipt(text.replace('"certificate"', '"\\u0063ertificate"')).leaf.kind, "certificate");
  for (const bad of [
    `${text}x`,
    text.replace('"v":1', '"v":01'),
    text.replace('"v":1', '"v":+1'),
    text.replace('"certificate"', '"certi\tficate"'),
    text.replace('"certificate"', '"certi\\qficate"'),
    text.replace('"index":5', '"index":Infinity'),
    text.replace('"index":5', '"index":-Infinity'),
    `${text.slice(0, -1)},}`,
    text.replace('"index":5', '"index":5,"index":5'),
    `${"[".repeat(1000)}${"]".repeat(1000)}`,
  ]) {
    assert.throws(() => decodeReceipt(bad), { name: "ReceiptSyntaxError" }, bad.slice(0, 80));
  }
  assert.throws(() => decodeReceipt(Uint8Array.of(0x7b, 0xff, 0x7d)), { name: "ReceiptSyntaxError" });
  assert.throws(() => decodeReceipt(text.replace('"index":5', '"index":5.0')), { name: "ReceiptFieldError" });
});

test("__proto__ and other keys are plain data", () => {
  refusedAt(variant((o) => { Object.defineProperty(o, "__proto__", { value: 1, enumerable: true }); }), "/__proto__");
  refusedAt(text(), "/constructor");
  function text() {
    return JSON.stringify(GOOD).replace('{"anchor"', '{"constructor":1,"anchor"');
  }
});
