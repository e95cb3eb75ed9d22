import { test } from "node:test";
import assert from "node:assert/strict";

import { fromHex, toHex } from "../../clients/govchain_client/web/js/bytes.mjs";
import { ProofError } from "../../clients/govchain_client/web/js/errors.mjs";
import {
  leafHash,
  merkleRoot,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "../../clients/govchain_client/web/js/merkle.mjs";
import { loadVectors } from "./support.mjs";

const CT = loadVectors("merkle-ct.json");
const INCLUSION = loadVectors("inclusion.json").cases;
const CONSISTENCY = loadVectors("consistency.json").cases;
const CT_LEAVES = CT.leaves.map(fromHex);
const CT_ROOTS = CT.roots.map(fromHex);

/** @param {string[]} path */
const hashes = (path) => path.map(fromHex);

test("the roots of the CT reference tree", async () => {
  const leaves = await Promise.all(CT_LEAVES.map(leafHash));
  for (let size = 0; size <= 8; size += 1) {
    assert.equal(toHex(await merkleRoot(leaves.slice(0, size))), CT.roots[size], `size ${size}`);
  }
});

test("the published CT inclusion proofs verify", async () => {
  for (const c of CT.inclusion) {
    await verifyInclusion(c.index, c.tree_size, await leafHash(CT_LEAVES[c.index]), hashes(c.path), CT_ROOTS[c.tree_size]);
  }
});

test("the published CT consistency proofs verify", async () => {
  for (const c of CT.consistency) {
    await verifyConsistency(c.old_size, c.new_size, CT_ROOTS[c.old_size], CT_ROOTS[c.new_size], hashes(c.path));
  }
});

test("corrupted CT inclusion proofs are rejected", async () => {
  for (const c of CT.inclusion) {
    const leaf = await leafHash(CT_LEAVES[c.index]);
    const path = hashes(c.path);
    const root = CT_ROOTS[c.tree_size];
    const probes = [
      [c.index - 1, c.tree_size, leaf, path, root],
      [c.index + 1, c.tree_size, leaf, path, root],
      [c.index ^ 2, c.tree_size, leaf, path, root],
      [c.index, c.tree_size * 2, leaf, path, root],
      [c.index, Math.floor(c.tree_size / 2), leaf, path, root],
      [c.index, c.tree_size, await leafHash(new TextEncoder().encode("WrongLeaf")), path, root],
      [c.index, c.tree_size, leaf, path, CT_ROOTS[0]],
      [c.index, c.tree_size, leaf, [...path, root], root],
      [c.index, c.tree_size, leaf, [root, ...path], root],
      [c.index, c.tree_size, leaf, path.slice(0, -1), root],
    ];
    for (let i = 0; i < path.length; i += 1) {
      const flipped = path.map((node) => node.slice());
      flipped[i][0] ^= 8;
      probes.push([c.index, c.tree_size, leaf, flipped, root]);
    }
    for (const probe of probes) {
      // @ts-ignore -- spreading a heterogeneous tuple
      await assert.rejects(verifyInclusion(...probe), ProofError);
    }
  }
});

/**
 * Run shared vectors: valid ones must verify, the others must reject with ProofError
 * (the vector's name is the assertion message). Returns the valid and invalid counts.
 * @param {any[]} cases
 * @param {(c: any) => Promise<unknown>} verify
 * @returns {Promise<[number, number]>}
 */
async function checkVectors(cases, verify) {
  let valid = 0;
  let invalid = 0;
  for (const c of cases) {
    if (c.valid) {
      await verify(c);
      valid += 1;
    } else {
      await assert.rejects(verify(c), ProofError, c.name);
      invalid += 1;
    }
  }
  return [valid, invalid];
}

test("shared inclusion vectors: valid ones verify, named bad ones are rejected", async () => {
  const [valid, invalid] = await checkVectors(INCLUSION, (c) =>
    verifyInclusion(c.index, c.tree_size, fromHex(c.leaf_hash), hashes(c.path), fromHex(c.root)),
  );
  assert.ok(valid > 30 && invalid >= 8, `${valid} valid, ${invalid} invalid`);
});

test("shared consistency vectors: valid ones verify, named bad ones are rejected", async () => {
  const [valid, invalid] = await checkVectors(CONSISTENCY, (c) =>
    verifyConsistency(c.old_size, c.new_size, fromHex(c.old_root), fromHex(c.new_root), hashes(c.proof)),
  );
  assert.ok(valid > 100 && invalid > 40, `${valid} valid, ${invalid} invalid`);
});

test("degenerate inclusion probes are rejected", async () => {
  const some = fromHex("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (const [index, size] of [[0, 0], [0, 1], [1, 0], [2, 1]]) {
    for (const [root, leaf] of [[new Uint8Array(0), some], [CT_ROOTS[0], new Uint8Array(0)], [CT_ROOTS[0], some]]) {
      await assert.rejects(verifyInclusion(index, size, leaf, [], root), ProofError);
    }
  }
});

test("indices beyond 32 bits are handled exactly (known answers from the Python core)", async () => {
  const size = 2 ** 40 + 6;
  const index = 2 ** 33 + 3;
  const leaf = fromHex("11".repeat(32));
  const path = Array.from({ length: 41 }, (_, i) => fromHex(i.toString(16).padStart(2, "0").repeat(32)));
  const root = await rootFromInclusionProof(index, size, leaf, path);
  assert.equal(toHex(root), "2ae8764ebd37290c113ccdd0af705b02e71f1709e15ebef3a8f65cdef37e7b15");
  const other = await rootFromInclusionProof(index - 2 ** 20, size, leaf, path);
  assert.equal(toHex(other), "9aff1dcbd7ef3055ec8179adfe85cc19b0c4f799ca5f08aafbe137f8eaf51222");
  await verifyInclusion(index, size, leaf, path, root);
  await assert.rejects(verifyInclusion(index, size, leaf, path.slice(1), root), ProofError);
  await assert.rejects(verifyInclusion(index + 2 ** 32, size, leaf, path, root), ProofError);
});
