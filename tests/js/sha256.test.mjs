import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { sha256, toHex } from "../../clients/govchain_client/web/js/bytes.mjs";
import { Sha256 } from "../../clients/govchain_client/web/js/sha256.mjs";

test("FIPS 180-4 examples", () => {
  const hex = (/** @type {string} */ text) => toHex(new Sha256().update(new TextEncoder().encode(text)).digest());
  assert.equal(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
});

test("the same hash as WebCrypto for every length around the block boundaries, in any chunking", async () => {
  for (let length = 0; length < 300; length += 1) {
    const data = randomBytes(length);
    const expected = toHex(await sha256(data));
    assert.equal(toHex(new Sha256().update(data).digest()), expected, `length ${length}`);
    const chunked = new Sha256();
    for (let i = 0; i < length; i += 7) chunked.update(data.subarray(i, i + 7));
    assert.equal(toHex(chunked.digest()), expected, `length ${length} in chunks of 7`);
  }
  const big = randomBytes(5 * 1024 * 1024 + 3);
  const hasher = new Sha256();
  for (let i = 0; i < big.length; i += 1 << 20) hasher.update(big.subarray(i, i + (1 << 20)));
  assert.equal(toHex(hasher.digest()), toHex(await sha256(big)));
});

test("a finished hash cannot be reused", () => {
  const hasher = new Sha256();
  hasher.digest();
  assert.throws(() => hasher.update(new Uint8Array(1)));
  assert.throws(() => hasher.digest());
});

test("files are hashed whole or in chunks to the same digest", async () => {
  const { digestFile, digestBytes } = await import("../../clients/govchain_client/web/js/digest.mjs");
  const data = randomBytes(3 * 65536 + 11);
  const file = new Blob([data]);
  /** @type {number[]} */
  const progress = [];
  const chunked = await digestFile(file, { wholeFileLimit: 1000, onProgress: (f) => progress.push(f) });
  assert.deepEqual(chunked, await digestBytes(data));
  assert.deepEqual(await digestFile(file), chunked);
  assert.ok(progress.length >= 1);
  assert.equal(progress.at(-1), 1);
});
