import { test } from "node:test";
import assert from "node:assert/strict";

import { canonicalText, formatNumber } from "../../clients/govchain_client/web/js/jcs.mjs";
import { CanonicalJSONError } from "../../clients/govchain_client/web/js/errors.mjs";

test("RFC 8785 §3.2.2.3 number examples", () => {
  const cases = [
    [0, "0"], [-0, "0"], [1, "1"], [-1, "-1"], [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"], [9007199254740992, "9007199254740992"],
    [1e21, "1e+21"], [1e20, "100000000000000000000"], [123e-7, "0.0000123"], [1e-7, "1e-7"],
    [0.000001, "0.000001"], [333333333.3333333, "333333333.3333333"], [4.5, "4.5"], [2e-3, "0.002"],
  ];
  for (const [value, text] of cases) assert.equal(formatNumber(/** @type {number} */ (value)), text);
  for (const bad of [NaN, Infinity, -Infinity]) assert.throws(() => formatNumber(bad), CanonicalJSONError);
});

test("members are sorted by UTF-16 code units and strings escaped as JSON.stringify does", () => {
  // RFC 8785 §3.2.3 example: "\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6"
  const obj = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    1: "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };
  const text = canonicalText(obj);
  const order = ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((k) => text.indexOf(`"${k}":`));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), `${text} ${order}`);
  assert.equal(canonicalText("\u0000\u001f\"\\/\b\f\n\r\t\u007f\u2028é"), '"\\u0000\\u001f\\"\\\\/\\b\\f\\n\\r\\t\u007f\u2028é"');
  assert.equal(canonicalText({ b: [1, { d: null, c: true }], a: false }), '{"a":false,"b":[1,{"c":true,"d":null}]}');
});

test("values RFC 8785 cannot represent are refused", () => {
  assert.throws(() => canonicalText("\ud800"), CanonicalJSONError);
  assert.throws(() => canonicalText({ "\udc00": 1 }), CanonicalJSONError);
  assert.throws(() => canonicalText(2n ** 53n), CanonicalJSONError);
  assert.equal(canonicalText(2n ** 53n - 1n), "9007199254740991");
  assert.throws(() => canonicalText(undefined), CanonicalJSONError);
  let deep = /** @type {unknown} */ (1);
  for (let i = 0; i < 65; i += 1) deep = [deep];
  assert.throws(() => canonicalText(deep), CanonicalJSONError);
});
