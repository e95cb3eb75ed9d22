import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { SELECTORS, TOPICS } from "../../clients/govchain_client/web/js/selectors.mjs";
import { moduleText, selectorsFromArtifacts, topicsFromArtifacts } from "./generate-selectors.mjs";
import { WEB } from "./support.mjs";

test("the hard-coded selectors are keccak-256 of the artifacts' ABI signatures", () => {
  assert.deepEqual({ ...SELECTORS }, selectorsFromArtifacts());
  assert.deepEqual({ ...TOPICS }, topicsFromArtifacts());
});

test("selectors.mjs is what generate-selectors.mjs writes today", () => {
  assert.equal(readFileSync(`${WEB}js/selectors.mjs`, "utf8"), moduleText());
});

test("the well-known selector of registry() confirms the keccak in use", () => {
  assert.equal(SELECTORS["AnchorRegistry.registry()"], "7b103999");
});
