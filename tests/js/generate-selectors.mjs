/**
 * Writes clients/govchain_client/web/js/selectors.mjs from the contract artifacts:
 * `node tests/js/generate-selectors.mjs`. The keccak-256 comes from ethers (a dev
 * dependency of the repository); the page itself needs no keccak.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { id } from "ethers";

import { ROOT, WEB } from "./support.mjs";

/** The view functions the web verifier calls, by contract. */
export const NEEDED = {
  AnchorRegistry: ["checkpoint", "registry"],
  IssuerRegistry: ["getIssuer"],
  StatusRegistry: ["status"],
};

/**
 * The canonical signature of an ABI function entry (tuples expanded).
 * @param {{type: string, components?: any[]}} param
 * @returns {string}
 */
function typeOf(param) {
  if (param.type.startsWith("tuple")) {
    return `(${(param.components ?? []).map(typeOf).join(",")})${param.type.slice(5)}`;
  }
  return param.type;
}

/** @returns {Record<string, string>} */
export function selectorsFromArtifacts() {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [contract, names] of Object.entries(NEEDED)) {
    const artifact = JSON.parse(readFileSync(`${ROOT}contracts/govchain_contracts/artifacts/${contract}.json`, "utf8"));
    for (const name of names) {
      const entries = artifact.abi.filter((/** @type {any} */ e) => e.type === "function" && e.name === name);
      if (entries.length !== 1) throw new Error(`${contract}.${name}: ${entries.length} ABI entries`);
      const signature = `${name}(${entries[0].inputs.map(typeOf).join(",")})`;
      out[`${contract}.${signature}`] = id(signature).slice(2, 10);
    }
  }
  return out;
}

/** @returns {string} the module text */
export function moduleText() {
  const lines = Object.entries(selectorsFromArtifacts()).map(([sig, sel]) => `  "${sig}": "${sel}",`);
  const template = readFileSync(`${WEB}js/selectors.mjs`, "utf8");
  const head = template.slice(0, template.indexOf("export const SELECTORS"));
  return `${head}export const SELECTORS = Object.freeze({\n${lines.join("\n")}\n});\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(`${WEB}js/selectors.mjs`, moduleText());
  console.log(`wrote ${WEB}js/selectors.mjs`);
}
