/**
 * Runs the web verifier's JavaScript core on inputs from Python, for the parity
 * tests in test_js_parity.py. Reads one JSON document from stdin:
 *   {"jcs": [value, ...], "receipts": ["<base64 bytes>", ...], "qr": [{"text": "...", "mask": n | null}, ...]}
 * and writes
 *   {"jcs": [{"text": "..."} | {"error": "ClassName"}, ...],
 *    "receipts": [{"ok": true, "leaf_hash": "<hex>"} | {"error": "ClassName", "field": "/ptr"|null}, ...],
 *    "qr": [{"version": v, "mask": m, "rows": ["0101…", ...]}, ...]}
 */

import { text } from "node:stream/consumers";

import { toHex } from "../../../clients/govchain_client/web/js/bytes.mjs";
import { CoreError } from "../../../clients/govchain_client/web/js/errors.mjs";
import { canonicalText } from "../../../clients/govchain_client/web/js/jcs.mjs";
import { encodeQr } from "../../../clients/govchain_client/web/js/qr.mjs";
import { decodeReceipt, receiptLeafHash } from "../../../clients/govchain_client/web/js/receipt.mjs";

/**
 * @param {unknown} error
 * @returns {{error: string, field?: string | null}}
 */
function failure(error) {
  if (!(error instanceof CoreError)) throw error;
  const field = /** @type {any} */ (error).field;
  return { error: error.name, field: field ?? null };
}

const input = JSON.parse(await text(process.stdin));
const jcs = (input.jcs ?? []).map((/** @type {unknown} */ value) => {
  try {
    return { text: canonicalText(value) };
  } catch (error) {
    return failure(error);
  }
});
const receipts = [];
for (const encoded of input.receipts ?? []) {
  try {
    const receipt = decodeReceipt(new Uint8Array(Buffer.from(encoded, "base64")));
    receipts.push({ ok: true, leaf_hash: toHex(await receiptLeafHash(receipt)) });
  } catch (error) {
    receipts.push(failure(error));
  }
}
const qr = (input.qr ?? []).map((/** @type {{text: string, mask: number | null}} */ item) => {
  const code = encodeQr(item.text, item.mask === null ? {} : { mask: item.mask });
  return { version: code.version, mask: code.mask, rows: code.modules.map((row) => row.map((dark) => (dark ? "1" : "0")).join("")) };
});
process.stdout.write(JSON.stringify({ jcs, receipts, qr }));
