import { test } from "node:test";
import assert from "node:assert/strict";

import { encodeQr, formatBits, qrToSvg, reedSolomon, versionBits, versionFor } from "../../clients/govchain_client/web/js/qr.mjs";

test("format and version information match the standard's tables (ISO/IEC 18004 Annex C, D)", () => {
  // level M with masks 0..7 (Table C.1), and version 7 and 10 information (Table D.1)
  const levelM = ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
    "100010111111001", "100000011001110", "100111110010111", "100101010100000"];
  levelM.forEach((bits, mask) => assert.equal(formatBits(mask).toString(2).padStart(15, "0"), bits));
  assert.equal(versionBits(7).toString(16), "7c94");
  assert.equal(versionBits(10).toString(16), "a4d3");
});

test("Reed-Solomon of the standard's worked example (1-M, '01234567')", () => {
  // ISO/IEC 18004 Annex I: data codewords and their 10 EC codewords
  const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
  assert.deepEqual(reedSolomon(data, 10), [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
});

test("versions grow with the content and stop at 10", () => {
  assert.equal(versionFor(14), 1);
  assert.equal(versionFor(15), 2);
  assert.equal(versionFor(213), 10);
  assert.throws(() => versionFor(214), RangeError);
  const link = `https://notar.example.de/#sha256=${"ab".repeat(32)}`;
  const qr = encodeQr(link);
  assert.equal(qr.size, 17 + 4 * qr.version);
});

test("finder patterns, timing pattern and the dark module are in place", () => {
  const qr = encodeQr("govchain");
  const m = qr.modules;
  const n = qr.size;
  for (const [r, c] of [[0, 0], [0, n - 7], [n - 7, 0]]) {
    assert.deepEqual(m[r + 3].slice(c, c + 7), [true, false, true, true, true, false, true]);
  }
  for (let i = 8; i < n - 8; i += 1) assert.equal(m[6][i], i % 2 === 0);
  assert.equal(m[n - 8][8], true);
});

test("the SVG has a title and one path, and escapes its title", () => {
  const svg = qrToSvg(encodeQr("x"), { title: "a<b" });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 29 29"/);
  assert.match(svg, /<title>a&#60;b<\/title>/);
  assert.equal(svg.match(/<path /g)?.length, 1);
});
