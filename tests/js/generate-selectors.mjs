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

/** The events the web verifier looks for in transaction receipts, by contract. */
export const EVENTS = {
  AnchorRegistry: ["Anchored"],
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

/**
 * @param {string} contract
 * @returns {any[]}
 */
function abiOf(contract) {
  return JSON.parse(readFileSync(`${ROOT}contracts/govchain_contracts/artifacts/${contract}.json`, "utf8")).abi;
}

/**
 * The canonical signature of the one ABI entry of `type` called `name`.
 * @param {any[]} abi
 * @param {string} type
 * @param {string} contract
 * @param {string} name
 */
function signatureOf(abi, type, contract, name) {
  const entries = abi.filter((/** @type {any} */ e) => e.type === type && e.name === name);
  if (entries.length !== 1) throw new Error(`${contract}.${name}: ${entries.length} ABI entries`);
  return `${name}(${entries[0].inputs.map(typeOf).join(",")})`;
}

/** @returns {Record<string, string>} topic0 (64 hex digits) by `Contract.Event(types)` */
export function topicsFromArtifacts() {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [contract, names] of Object.entries(EVENTS)) {
    const abi = abiOf(contract);
    for (const name of names) {
      const signature = signatureOf(abi, "event", contract, name);
      out[`${contract}.${signature}`] = id(signature).slice(2);
    }
  }
  return out;
}

/** @returns {Record<string, string>} */
export function selectorsFromArtifacts() {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [contract, names] of Object.entries(NEEDED)) {
    const abi = abiOf(contract);
    for (const name of names) {
      const signature = signatureOf(abi, "function", contract, name);
      out[`${contract}.${signature}`] = id(signature).slice(2, 10);
    }
  }
  return out;
}

/** @returns {string} the module text */
export function moduleText() {
  const lines = (/** @type {Record<string, string>} */ table) =>
    Object.entries(table).map(([sig, value]) => `  "${sig}": "${value}",`).join("\n");
  const template = readFileSync(`${WEB}js/selectors.mjs`, "utf8");
  const head = template.slice(0, template.indexOf("export const SELECTORS"));
  return `${head}export const SELECTORS = Object.freeze({\n${lines(selectorsFromArtifacts())}\n});\n\n`
    + `/** topic0 of the events the verifier looks for in transaction receipts (keccak-256 of the signature). */\n`
    + `export const TOPICS = Object.freeze({\n${lines(topicsFromArtifacts())}\n});\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(`${WEB}js/selectors.mjs`, moduleText());
  console.log(`wrote ${WEB}js/selectors.mjs`);
}
