/**
 * The web verifier page: wires the file inputs, drop zones, language switch,
 * settings and the verification link to the verifier core, and renders results.
 *
 * A document is hashed in the browser and never uploaded; its digest is looked up
 * at the notary, and every anchored receipt found is checked here, step by step,
 * against a node's JSON-RPC. A receipt file is checked against the node alone. All
 * texts come from i18n.mjs; all DOM is built with createElement, never parsed from strings, so
 * the page runs under a strict Content-Security-Policy.
 *
 * @module app
 */

import { digestFile, formatDigest, parseDigest } from "./digest.mjs";
import { ReceiptError, ReceiptFieldError, ReceiptVersionError } from "./errors.mjs";
import { formatInteger, formatTime, initialLanguage, LANGUAGES, translator } from "./i18n.mjs";
import { loadConfig, resolveUrl } from "./config.mjs";
import { listIssuers, lookupDigest } from "./notary.mjs";
import { encodeQr, qrPathData, qrToSvg } from "./qr.mjs";
import { decodeReceipt, MAX_RECEIPT_BYTES, receiptFromObject } from "./receipt.mjs";
import { JsonRpcChainReader } from "./rpc.mjs";
import { verifyReceipt } from "./verify.mjs";
import { KINDS } from "./leaf.mjs";

const SVG_NS = "http://www.w3.org/2000/svg";
const LANGUAGE_KEY = "govchain.verifier.lang";
const HASH_RE = /^#sha256=([0-9a-fA-F]{64})$/;
const STATUS_GLYPHS = { passed: "✓", failed: "✗", error: "!", skipped: "–" };

/**
 * @typedef {import("./verify.mjs").VerificationReport} Report
 * @typedef {import("./notary.mjs").LookupEntry} LookupEntry
 * @typedef {{entry: LookupEntry, report: Report | null, error: string | null}} CheckedEntry
 * @typedef {{state: "idle" | "loading" | "none" | "error" | "found", digest: string | null, error: string, entries: CheckedEntry[]}} Lookup
 * @typedef {{name: string, state: "checking" | "invalid" | "done", error: string, report: Report | null, receipt: import("./receipt.mjs").Receipt | null}} ReceiptCheck
 */

const state = {
  language: "de",
  t: translator("de"),
  /** @type {import("./config.mjs").Config} */
  config: { notary: "", rpc: "", chainId: null, registries: {} },
  /** @type {string | null} digest from a `#sha256=` link */
  expected: null,
  linkInvalid: false,
  /** @type {{name: string, digest: string} | null} */
  document: null,
  /** @type {string | null} name of the file being hashed */
  hashing: null,
  /** @type {Lookup} */
  lookup: { state: "idle", digest: null, error: "", entries: [] },
  /** @type {ReceiptCheck | null} */
  receipt: null,
  /** @type {Map<string, import("./notary.mjs").IssuerView> | null} */
  notaryIssuers: null,
  /** counts runs so that a slow, outdated answer never overwrites a newer one */
  generation: 0,
};

// ---------------------------------------------------------------- DOM helpers

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element;
}

/**
 * Create an element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** @param {string} key @param {Record<string, string | number>} [values] */
const t = (key, values) => state.t(key, values);

/**
 * A document kind in words; a kind this page does not know is shown as it is.
 * @param {string} kind
 */
const kindText = (kind) => (KINDS.includes(kind) ? t(`kind.${kind}`) : kind || t("field.unknown"));

// ---------------------------------------------------------------- language

/** @param {string} language */
function setLanguage(language) {
  state.language = language;
  state.t = translator(language);
  document.documentElement.lang = language;
  document.title = t("app.title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(/** @type {string} */ (element.getAttribute("data-i18n")));
  }
  for (const element of document.querySelectorAll("[data-i18n-aria-label]")) {
    element.setAttribute("aria-label", t(/** @type {string} */ (element.getAttribute("data-i18n-aria-label"))));
  }
  const other = LANGUAGES.find((code) => code !== language) ?? "de";
  const toggle = byId("language-toggle");
  toggle.setAttribute("lang", other);
  toggle.dataset.target = other;
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // storage may be disabled; the choice then lasts for this page only
  }
  render();
}

// ---------------------------------------------------------------- actions

/** A chain reader with the current settings. */
function chainReader() {
  return new JsonRpcChainReader({ url: state.config.rpc, registries: state.config.registries });
}

/** The digest whose receipts and link the page shows. */
function currentDigest() {
  return state.document?.digest ?? state.expected ?? (state.receipt?.receipt ? state.receipt.receipt.leaf.digest : null);
}

/** @param {File} file */
async function checkDocument(file) {
  state.hashing = file.name;
  render();
  try {
    let shown = 0;
    const onProgress = (/** @type {number} */ fraction) => {
      const percent = Math.floor(fraction * 100);
      if (percent >= shown + 10) {
        shown = percent;
        byId("summary").textContent = `${t("hashing", { name: file.name })} ${percent} %`;
      }
    };
    const digest = formatDigest(await digestFile(file, { onProgress }));
    state.document = { name: file.name, digest };
  } finally {
    state.hashing = null;
  }
  render();
  await Promise.all([runLookup(state.document.digest), state.receipt?.receipt ? runReceiptCheck() : null]);
}

/** @param {File} file */
async function checkReceiptFile(file) {
  state.receipt = { name: file.name, state: "checking", error: "", report: null, receipt: null };
  render();
  const bytes = new Uint8Array(await file.slice(0, MAX_RECEIPT_BYTES + 1).arrayBuffer());
  try {
    state.receipt.receipt = decodeReceipt(bytes);
  } catch (error) {
    if (!(error instanceof ReceiptError)) throw error;
    state.receipt.state = "invalid";
    state.receipt.error = describeReceiptError(error);
    render();
    return;
  }
  await runReceiptCheck();
}

/** @param {ReceiptError} error */
function describeReceiptError(error) {
  if (error instanceof ReceiptVersionError) return t("receiptfile.version", { detail: error.message });
  if (error instanceof ReceiptFieldError) {
    const problem = error.message.slice(error.field.length + 2); // the message repeats the field
    return t("receiptfile.invalid", { detail: `${t("receiptfile.field", { field: error.field })}: ${problem}` });
  }
  return t("receiptfile.invalid", { detail: error.message });
}

async function runReceiptCheck() {
  const check = state.receipt;
  if (check === null || check.receipt === null) return;
  check.state = "checking";
  render();
  const document = state.document ? parseDigest(state.document.digest) : null;
  check.report = await verifyReceipt(check.receipt, chainReader(), { document });
  check.state = "done";
  render();
}

/** @param {string} digest */
async function runLookup(digest) {
  state.generation += 1;
  const generation = state.generation;
  state.lookup = { state: "loading", digest, error: "", entries: [] };
  render();
  /** @type {LookupEntry[] | null} */
  let entries;
  try {
    entries = await lookupDigest(state.config.notary, digest);
  } catch (error) {
    if (generation !== state.generation) return;
    state.lookup = { state: "error", digest, error: /** @type {Error} */ (error).message, entries: [] };
    render();
    return;
  }
  if (generation !== state.generation) return;
  if (entries === null || entries.length === 0) {
    state.lookup = { state: "none", digest, error: "", entries: [] };
    render();
    return;
  }
  state.lookup = { state: "found", digest, error: "", entries: entries.map((entry) => ({ entry, report: null, error: null })) };
  render();
  const document = state.document?.digest === digest ? parseDigest(digest) : null;
  await Promise.all(
    state.lookup.entries.map(async (checked) => {
      if (checked.entry.receipt === null) return;
      try {
        const receipt = receiptFromObject(checked.entry.receipt);
        checked.report = await verifyReceipt(receipt, chainReader(), { document });
      } catch (error) {
        checked.error = /** @type {Error} */ (error).message;
      }
    }),
  );
  if (state.lookup.entries.some((c) => c.report?.issuer == null) && state.notaryIssuers === null) {
    state.notaryIssuers = await listIssuers(state.config.notary);
  }
  if (generation === state.generation) render();
}

/** Read `#sha256=<hex>` and look the digest up. */
function applyHash() {
  const hash = location.hash;
  state.linkInvalid = false;
  if (hash === "" || hash === "#") {
    state.expected = null;
    render();
    return;
  }
  const match = HASH_RE.exec(hash);
  if (match === null) {
    state.expected = null;
    state.linkInvalid = hash.startsWith("#sha256=");
    render();
    return;
  }
  state.expected = `sha256:${match[1].toLowerCase()}`;
  render();
  if (state.document === null) void runLookup(state.expected);
}

/** @param {Promise<unknown>} task */
function guard(task) {
  task.catch((error) => {
    console.error(error);
    byId("summary").textContent = t("error.generic", { detail: String(error?.message ?? error) });
  });
}

// ---------------------------------------------------------------- rendering

function render() {
  renderLink();
  renderResults();
  renderShare();
}

function renderLink() {
  const box = byId("link-info");
  box.replaceChildren();
  if (state.linkInvalid) {
    box.append(h("p", { class: "notice notice--warn" }, t("link.invalid")));
  } else if (state.expected !== null) {
    box.append(
      h("p", {}, t("link.expected", { digest: "" }), h("code", { class: "digest" }, state.expected)),
      state.document === null ? h("p", {}, t("link.confirm")) : null,
    );
  }
  box.hidden = box.childElementCount === 0;
}

function renderResults() {
  const out = byId("results");
  const summary = byId("summary");
  const [verdict, text] = summarise();
  summary.dataset.verdict = verdict;
  summary.className = `summary summary--${verdict}`;
  summary.textContent = text;
  out.replaceChildren();
  if (state.hashing !== null) out.append(h("p", {}, t("hashing", { name: state.hashing })));
  if (state.document !== null) out.append(documentBlock(state.document));
  if (state.lookup.state !== "idle") out.append(lookupBlock(state.lookup));
  if (state.receipt !== null) out.append(receiptBlock(state.receipt));
}

/**
 * The verdict shown (and announced) at the top of the results.
 * @returns {[string, string]}
 */
function summarise() {
  if (state.hashing !== null) return ["busy", t("hashing", { name: state.hashing })];
  if (state.document && state.expected && state.document.digest !== state.expected) {
    return ["invalid", t("digest.differs")];
  }
  const receipt = state.receipt;
  if (receipt !== null) {
    if (receipt.state === "invalid") return ["invalid", receipt.error];
    if (receipt.state === "checking") return ["busy", t("lookup.loading")];
    if (receipt.report) return verdictOf(receipt.report);
  }
  const lookup = state.lookup;
  if (lookup.state === "loading") return ["busy", t("lookup.loading")];
  if (lookup.state === "none") return ["none", t("lookup.none")];
  if (lookup.state === "error") return ["error", t("lookup.error", { detail: lookup.error })];
  if (lookup.state === "found") {
    const reports = lookup.entries.map((c) => c.report).filter((r) => r !== null);
    const best = reports.find((r) => r.ok) ?? reports[0];
    if (best) return verdictOf(best);
    const first = lookup.entries[0].entry;
    if (first.status === "pending") return ["pending", t("state.pending")];
    return ["busy", t("lookup.loading")];
  }
  return ["idle", t("results.empty")];
}

/**
 * @param {Report} report
 * @returns {[string, string]}
 */
function verdictOf(report) {
  if (report.ok) return ["valid", t("verdict.valid")];
  const step = /** @type {import("./verify.mjs").StepResult} */ (report.failedStep);
  const reason = stepText(step);
  if (step.status === "error") return ["incomplete", t("verdict.incomplete", { reason })];
  if (step.code.startsWith("status_")) return [step.code.slice(7), t("verdict.invalid", { reason })];
  return ["invalid", t("verdict.invalid", { reason })];
}

/** @param {{name: string, digest: string}} doc */
function documentBlock(doc) {
  const rows = [
    [t("digest.file"), doc.name],
    [t("digest.label"), h("code", { class: "digest", id: "digest-value" }, doc.digest)],
  ];
  const block = h("section", { class: "card", "aria-labelledby": "document-result-heading" },
    h("h3", { id: "document-result-heading" }, t("document.heading")),
    definitionList(rows));
  if (state.expected !== null) {
    const matches = state.expected === doc.digest;
    block.append(h("p", { class: `notice ${matches ? "notice--ok" : "notice--bad"}`, "data-match": String(matches) },
      h("span", { class: "glyph", "aria-hidden": "true" }, matches ? "✓" : "✗"), " ",
      t(matches ? "digest.matches" : "digest.differs")));
  }
  return block;
}

/** @param {Lookup} lookup */
function lookupBlock(lookup) {
  const block = h("section", { class: "card", "aria-labelledby": "lookup-heading", "data-lookup": lookup.state },
    h("h3", { id: "lookup-heading" }, t("lookup.heading")));
  if (lookup.state === "loading") block.append(h("p", {}, t("lookup.loading")));
  if (lookup.state === "none") block.append(h("p", { class: "notice notice--bad" }, t("lookup.none")));
  if (lookup.state === "error") block.append(h("p", { class: "notice notice--warn" }, t("lookup.error", { detail: lookup.error })));
  if (lookup.state === "found") {
    const count = lookup.entries.length;
    block.append(h("p", {}, count === 1 ? t("lookup.found.one") : t("lookup.found.many", { count })));
    const list = h("ol", { class: "entries" });
    lookup.entries.forEach((checked, i) => list.append(entryItem(checked, i + 1)));
    block.append(list);
  }
  return block;
}

/**
 * @param {CheckedEntry} checked
 * @param {number} n
 */
function entryItem(checked, n) {
  const { entry, report } = checked;
  const headingId = `entry-${n}-heading`;
  const item = h("li", { class: "entry", "aria-labelledby": headingId, "data-status": entry.status });
  item.append(h("h4", { id: headingId }, t("entry.heading", { n })));
  const issuer = report?.issuer ?? state.notaryIssuers?.get(entry.issuer) ?? null;
  /** @type {[string, Node | string][]} */
  const rows = [
    [t("field.issuer"), issuer?.name || t("field.unknown")],
    [t("field.ags"), issuer?.ags || t("field.unknown")],
    [t("field.kind"), kindText(entry.kind)],
  ];
  const anchor = /** @type {any} */ (entry.receipt)?.anchor;
  if (entry.status === "anchored" && anchor) {
    rows.push([t("field.anchored"), formatTime(Number(anchor.timestamp), state.language)]);
    rows.push([t("field.block"), formatInteger(Number(anchor.block_number), state.language)]);
  }
  const status = report?.documentStatus ?? entry.documentStatus;
  rows.push([t("field.status"), statusText(entry.status === "pending" ? null : status, entry.status)]);
  if (entry.id) rows.push([t("field.receiptId"), h("code", {}, entry.id)]);
  item.append(definitionList(rows));
  if (report !== null) item.append(stepsList(report));
  if (checked.error !== null) item.append(h("p", { class: "notice notice--warn" }, t("error.generic", { detail: checked.error })));
  return item;
}

/**
 * @param {import("./notary.mjs").DocumentStatusView | import("./verify.mjs").DocumentStatus | null} status
 * @param {string} entryStatus
 * @returns {HTMLElement}
 */
function statusText(status, entryStatus) {
  if (entryStatus === "pending" || status === null) {
    return h("span", { class: "state state--pending", "data-state": "pending" }, t("state.pending"));
  }
  const name = t(`state.${status.state}`);
  const text = status.state !== "valid" && status.since > 0
    ? t("state.since", { state: name, date: formatTime(status.since, state.language) })
    : name;
  return h("span", { class: `state state--${status.state}`, "data-state": status.state },
    h("span", { class: "glyph", "aria-hidden": "true" }, status.state === "valid" ? "✓" : "✗"), " ", text);
}

/** @param {ReceiptCheck} check */
function receiptBlock(check) {
  const block = h("section", { class: "card", "aria-labelledby": "receipt-result-heading", "data-receipt": check.state },
    h("h3", { id: "receipt-result-heading" }, t("receiptfile.heading", { name: check.name })));
  if (check.state === "invalid") block.append(h("p", { class: "notice notice--bad" }, check.error));
  if (check.state === "checking") block.append(h("p", {}, t("lookup.loading")));
  if (check.receipt !== null && check.report !== null) {
    const { leaf, anchor } = check.receipt;
    const issuer = check.report.issuer;
    block.append(definitionList([
      [t("field.issuer"), issuer?.name || t("field.unknown")],
      [t("field.ags"), issuer?.ags || t("field.unknown")],
      [t("field.issuerAddress"), h("code", {}, leaf.issuer)],
      [t("field.kind"), kindText(leaf.kind)],
      [t("digest.label"), h("code", { class: "digest" }, leaf.digest)],
      [t("field.anchored"), formatTime(anchor.timestamp, state.language)],
      [t("field.block"), formatInteger(anchor.blockNumber, state.language)],
      [t("field.status"), check.report.documentStatus ? statusText(check.report.documentStatus, "anchored") : t("field.unknown")],
    ]));
    block.append(stepsList(check.report));
  }
  return block;
}

/** @param {[string, Node | string][]} rows */
function definitionList(rows) {
  const list = h("dl", { class: "facts" });
  for (const [term, value] of rows) list.append(h("div", {}, h("dt", {}, term), h("dd", {}, value)));
  return list;
}

/** @param {Report} report */
function stepsList(report) {
  const list = h("ol", { class: "steps", "aria-label": t("steps.heading") });
  for (const step of report.steps) {
    list.append(h("li", { class: `step step--${step.status}`, "data-step": step.name, "data-status": step.status },
      h("span", { class: "glyph", "aria-hidden": "true" }, STATUS_GLYPHS[/** @type {keyof typeof STATUS_GLYPHS} */ (step.status)]),
      h("span", { class: "step-name" }, t(`step.${step.name}`)), ": ",
      h("strong", { class: "step-status" }, t(`stepstatus.${step.status}`)),
      h("span", { class: "step-text" }, ` – ${stepText(step)}`)));
  }
  return h("div", { class: "steps-box" }, h("p", { class: "steps-heading" }, t("steps.heading")), list);
}

/**
 * The translated text of a step outcome.
 * @param {import("./verify.mjs").StepResult} step
 */
function stepText(step) {
  const d = step.details;
  const date = (/** @type {unknown} */ s) => formatTime(Number(s), state.language);
  switch (step.code) {
    case "format_ok": return t("code.format_ok", { digest: String(d.digest) });
    case "inclusion_ok": // people count from 1: leaf index 0 is entry number 1
      return t("code.inclusion_ok", { number: formatInteger(Number(d.index) + 1, state.language), size: formatInteger(Number(d.size), state.language) });
    case "anchor_ok": return t("code.anchor_ok", { block: formatInteger(Number(d.block), state.language), date: date(d.timestamp) });
    case "wrong_chain": return t("code.wrong_chain", { node: d.node_chain_id, receipt: d.receipt_chain_id });
    case "issuer_ok": return t("code.issuer_ok", { name: String(d.name), ags: String(d.ags) });
    case "status_suspended":
    case "status_revoked":
    case "status_superseded": return t(`code.${step.code}`, { date: date(d.since) });
    case "chain_unreadable": return t("code.chain_unreadable", { detail: step.message.replace(/^could not read the chain: /, "") });
    default: return t(`code.${step.code}`);
  }
}

function renderShare() {
  const section = byId("share");
  const digest = currentDigest();
  if (digest === null) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const link = `${location.origin}${location.pathname}#sha256=${digest.slice("sha256:".length)}`;
  const anchor = /** @type {HTMLAnchorElement} */ (byId("share-link"));
  anchor.href = link;
  anchor.textContent = link;
  const qr = encodeQr(link);
  const extent = qr.size + 8;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${extent} ${extent}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("class", "qr");
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("aria-label", t("qr.title", { link }));
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", String(extent));
  background.setAttribute("height", String(extent));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", qrPathData(qr, 4));
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  byId("qr").replaceChildren(svg);
  const download = /** @type {HTMLAnchorElement} */ (byId("qr-download"));
  if (download.href.startsWith("blob:")) URL.revokeObjectURL(download.href);
  download.href = URL.createObjectURL(new Blob([qrToSvg(qr, { title: t("qr.title", { link }) })], { type: "image/svg+xml" }));
  download.download = `govchain-${digest.slice(7, 19)}.svg`;
}

// ---------------------------------------------------------------- wiring

/** @param {File[]} files */
function routeFiles(files) {
  const receipt = files.find((f) => f.name.toLowerCase().endsWith(".govchain.json"));
  const documentFile = files.find((f) => f !== receipt);
  if (documentFile) guard(checkDocument(documentFile));
  if (receipt) guard(checkReceiptFile(receipt));
}

/**
 * @param {HTMLElement} zone
 * @param {(files: File[]) => void} onFiles
 */
function makeDropZone(zone, onFiles) {
  let depth = 0;
  zone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth += 1;
    zone.classList.add("dropzone--active");
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove("dropzone--active");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove("dropzone--active");
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

function wireSettings() {
  const form = /** @type {HTMLFormElement} */ (byId("settings-form"));
  const notary = /** @type {HTMLInputElement} */ (byId("setting-notary"));
  const rpc = /** @type {HTMLInputElement} */ (byId("setting-rpc"));
  const status = /** @type {HTMLInputElement} */ (byId("setting-status"));
  notary.value = state.config.notary;
  rpc.value = state.config.rpc;
  status.value = state.config.registries.status ?? "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = byId("settings-message");
    const notaryUrl = resolveUrl(notary.value.trim(), location.href);
    const rpcUrl = resolveUrl(rpc.value.trim(), location.href);
    const statusAddress = status.value.trim();
    const invalid = notaryUrl === null ? notary : rpcUrl === null ? rpc
      : statusAddress !== "" && !/^0x[0-9a-fA-F]{40}$/.test(statusAddress) ? status : null;
    for (const input of [notary, rpc, status]) input.removeAttribute("aria-invalid");
    if (invalid !== null) {
      invalid.setAttribute("aria-invalid", "true");
      const label = document.querySelector(`label[for="${invalid.id}"]`)?.textContent ?? invalid.id;
      message.textContent = t("settings.invalid", { field: label });
      invalid.focus();
      return;
    }
    state.config = {
      ...state.config,
      notary: /** @type {string} */ (notaryUrl),
      rpc: /** @type {string} */ (rpcUrl),
      registries: { ...state.config.registries, status: statusAddress.toLowerCase() || undefined },
    };
    message.textContent = t("settings.applied");
    const digest = state.document?.digest ?? state.expected;
    if (digest) guard(runLookup(digest));
    if (state.receipt?.receipt) guard(runReceiptCheck());
  });
}

async function main() {
  let stored = null;
  try {
    stored = localStorage.getItem(LANGUAGE_KEY);
  } catch {
    stored = null;
  }
  state.config = await loadConfig(location.href);
  setLanguage(initialLanguage(stored));
  byId("language-toggle").addEventListener("click", () => {
    setLanguage(state.language === "de" ? "en" : "de");
  });
  const documentInput = /** @type {HTMLInputElement} */ (byId("document-input"));
  const receiptInput = /** @type {HTMLInputElement} */ (byId("receipt-input"));
  documentInput.addEventListener("change", () => {
    const file = documentInput.files?.[0];
    if (file) guard(checkDocument(file));
  });
  receiptInput.addEventListener("change", () => {
    const file = receiptInput.files?.[0];
    if (file) guard(checkReceiptFile(file));
  });
  makeDropZone(byId("document-zone"), routeFiles);
  makeDropZone(byId("receipt-zone"), (files) => guard(checkReceiptFile(files[0])));
  byId("qr-print").addEventListener("click", () => window.print());
  wireSettings();
  window.addEventListener("hashchange", applyHash);
  applyHash();
  document.body.dataset.ready = "true";
}

guard(main());
