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
 * Every change of the inputs (document, receipt, link, settings) starts a new *run*:
 * it aborts the previous run's AbortController (cancelling its JSON-RPC and notary
 * requests) and gets a fresh, private view that only it writes. The page renders the
 * current run's view alone, so an answer that arrives for an earlier selection lands
 * in a view nobody shows: the verdict on screen is always the one for exactly the
 * current (document, receipt, link) triple. Hashing belongs to the document input: it
 * is shared by the runs for the same file and aborted when the file is replaced.
 *
 * The verdict element `#verdict` carries `data-verdict` (`pending`, `valid`,
 * `not_valid`, `could_not_check`, `record_only`), `data-reason` (a stable code) and
 * `data-for` (the document digest the verdict is for, empty without a document) and
 * `data-run` (a counter of input changes, so tests can wait for the answer to theirs).
 * Without a hashed document the page never says valid: a link or a receipt alone only
 * describes the notarisation record (`record_only`).
 *
 * @module app
 */

import { digestFile, formatDigest, parseDigest } from "./digest.mjs";
import { ReceiptError, ReceiptFieldError, ReceiptVersionError } from "./errors.mjs";
import { formatInteger, formatTime, initialLanguage, LANGUAGES, translator } from "./i18n.mjs";
import { loadConfig, resolveUrl } from "./config.mjs";
import { describedBy, listIssuers, lookupDigest } from "./notary.mjs";
import { encodeQr, qrPathData, qrToSvg } from "./qr.mjs";
import { decodeReceipt, MAX_RECEIPT_BYTES, receiptFromObject } from "./receipt.mjs";
import { JsonRpcChainReader } from "./rpc.mjs";
import { verdictOf, verifyReceipt } from "./verify.mjs";
import { KINDS } from "./leaf.mjs";

const SVG_NS = "http://www.w3.org/2000/svg";
const LANGUAGE_KEY = "govchain.verifier.lang";
const HASH_RE = /^#sha256=([0-9a-fA-F]{64})$/;
const STATUS_GLYPHS = { passed: "✓", failed: "✗", error: "!", skipped: "–" };

/**
 * @typedef {import("./verify.mjs").VerificationReport} Report
 * @typedef {import("./notary.mjs").LookupEntry} LookupEntry
 * @typedef {{entry: LookupEntry, report: Report | null, error: string | null, description: import("./notary.mjs").Description | null}} CheckedEntry
 * @typedef {{state: "idle" | "loading" | "none" | "error" | "found", digest: string | null, error: string, entries: CheckedEntry[]}} Lookup
 * @typedef {{name: string, state: "reading" | "invalid" | "checking" | "done", error: string, report: Report | null, receipt: import("./receipt.mjs").Receipt | null}} ReceiptCheck
 * @typedef {{file: File, controller: AbortController, digest: Promise<string>, percent: number}} Hashing
 * @typedef {{documentFile: File | null, receiptFile: File | null, expected: string | null, config: import("./config.mjs").Config}} Inputs
 * @typedef {{document: {name: string, digest: string} | null, receipt: ReceiptCheck | null, lookup: Lookup, issuers: Map<string, import("./notary.mjs").IssuerView> | null}} View
 * @typedef {{id: number, inputs: Inputs, controller: AbortController, view: View}} Run
 * @typedef {"pending" | "valid" | "not_valid" | "could_not_check" | "record_only"} Verdict
 * @typedef {{verdict: Verdict, reason: string, text: string}} Decision
 */

const state = {
  language: "de",
  t: translator("de"),
  /** @type {import("./config.mjs").Config} */
  config: { notary: "", rpc: "", chainId: null, registries: {}, loadError: null },
  /** @type {string | null} digest from a `#sha256=` link */
  expected: null,
  linkInvalid: false,
  /** @type {File | null} */
  documentFile: null,
  /** @type {Hashing | null} the hashing of `documentFile` */
  hashing: null,
  /** @type {File | null} */
  receiptFile: null,
  /** @type {Run | null} the run for the current inputs; only its view is shown */
  run: null,
  runs: 0,
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

/** @returns {View} */
function emptyView() {
  return { document: null, receipt: null, lookup: { state: "idle", digest: null, error: "", entries: [] }, issuers: null };
}

/**
 * Start checking the current inputs; the run before is aborted and never shown again.
 */
function startRun() {
  state.run?.controller.abort(new DOMException("the inputs changed", "AbortError"));
  state.runs += 1;
  /** @type {Run} */
  const run = {
    id: state.runs,
    inputs: { documentFile: state.documentFile, receiptFile: state.receiptFile, expected: state.expected, config: state.config },
    controller: new AbortController(),
    view: emptyView(),
  };
  state.run = run;
  render();
  evaluate(run).catch((error) => {
    if (run.controller.signal.aborted) return; // an outdated run: its answers are dropped
    guardFailed(error);
  });
}

/** @param {File | null} file */
function setDocument(file) {
  state.hashing?.controller.abort(new DOMException("the document was replaced", "AbortError"));
  state.documentFile = file;
  state.hashing = null;
  if (file !== null) {
    const controller = new AbortController();
    /** @type {Hashing} */
    const hashing = { file, controller, percent: 0, digest: Promise.resolve("") };
    hashing.digest = digestFile(file, {
      signal: controller.signal,
      onProgress: (fraction) => {
        const percent = Math.floor(fraction * 100);
        if (percent < hashing.percent + 10) return;
        hashing.percent = percent;
        if (state.hashing === hashing) renderResults();
      },
    }).then(formatDigest);
    hashing.digest.catch(() => {}); // a replaced document's hashing is aborted on purpose
    state.hashing = hashing;
  }
  startRun();
}

/** @param {File | null} file */
function setReceipt(file) {
  state.receiptFile = file;
  startRun();
}

/**
 * A chain reader with the run's settings, aborted with the run.
 * @param {Run} run
 */
function chainReader(run) {
  const { config } = run.inputs;
  return new JsonRpcChainReader({ url: config.rpc, chainId: config.chainId, registries: config.registries, signal: run.controller.signal });
}

/**
 * Everything the page checks for one run's inputs. It writes only `run.view` and
 * renders only while the run is current.
 * @param {Run} run
 */
async function evaluate(run) {
  const { inputs, view } = run;
  const signal = run.controller.signal;
  const update = () => {
    if (state.run === run) render();
  };
  const receiptRead = inputs.receiptFile ? readReceipt(inputs.receiptFile, view, signal) : Promise.resolve();
  let digest = null;
  if (inputs.documentFile !== null) {
    const hashing = /** @type {Hashing} */ (state.hashing);
    digest = await hashing.digest;
    signal.throwIfAborted();
    view.document = { name: inputs.documentFile.name, digest };
    update();
  }
  await receiptRead;
  signal.throwIfAborted();
  update();
  const lookupDigestOf = digest ?? inputs.expected;
  await Promise.all([
    view.receipt?.receipt ? checkReceipt(run, digest, update) : null,
    lookupDigestOf !== null ? runLookup(run, lookupDigestOf, digest, update) : null,
  ]);
  signal.throwIfAborted();
  update();
}

/**
 * @param {File} file
 * @param {View} view
 * @param {AbortSignal} signal
 */
async function readReceipt(file, view, signal) {
  view.receipt = { name: file.name, state: "reading", error: "", report: null, receipt: null };
  const bytes = new Uint8Array(await file.slice(0, MAX_RECEIPT_BYTES + 1).arrayBuffer());
  signal.throwIfAborted();
  try {
    view.receipt.receipt = decodeReceipt(bytes);
    view.receipt.state = "checking";
  } catch (error) {
    if (!(error instanceof ReceiptError)) throw error;
    view.receipt.state = "invalid";
    view.receipt.error = describeReceiptError(error);
  }
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

/**
 * @param {Run} run
 * @param {string | null} digest the hashed document's, if any
 * @param {() => void} update
 */
async function checkReceipt(run, digest, update) {
  const check = /** @type {ReceiptCheck} */ (run.view.receipt);
  const receipt = /** @type {import("./receipt.mjs").Receipt} */ (check.receipt);
  const document = digest === null ? null : parseDigest(digest);
  check.report = await verifyReceipt(receipt, chainReader(run), { document, signal: run.controller.signal });
  check.state = "done";
  update();
}

/**
 * Look a digest up at the notary and check every anchored receipt found.
 * @param {Run} run
 * @param {string} lookup the digest looked up (the document's, else the link's)
 * @param {string | null} digest the hashed document's, if any
 * @param {() => void} update
 */
async function runLookup(run, lookup, digest, update) {
  const { view } = run;
  const signal = run.controller.signal;
  const notary = run.inputs.config.notary;
  view.lookup = { state: "loading", digest: lookup, error: "", entries: [] };
  update();
  /** @type {LookupEntry[] | null} */
  let entries;
  try {
    entries = await lookupDigest(notary, lookup, undefined, signal);
  } catch (error) {
    signal.throwIfAborted();
    view.lookup = { state: "error", digest: lookup, error: /** @type {Error} */ (error).message, entries: [] };
    return;
  }
  if (entries === null || entries.length === 0) {
    view.lookup = { state: "none", digest: lookup, error: "", entries: [] };
    return;
  }
  view.lookup = { state: "found", digest: lookup, error: "", entries: entries.map((entry) => ({ entry, report: null, error: null, description: null })) };
  update();
  const document = digest === null ? null : parseDigest(digest);
  await Promise.all(view.lookup.entries.map(async (checked) => {
    if (checked.entry.receipt === null) return;
    let receipt;
    try {
      receipt = receiptFromObject(checked.entry.receipt);
    } catch (error) {
      checked.error = /** @type {Error} */ (error).message;
      return;
    }
    checked.report = await verifyReceipt(receipt, chainReader(run), { document, signal });
    // the description is bound to the leaf, which is proven only once it is anchored
    const proven = checked.report.steps.slice(0, 3).every((step) => step.status === "passed");
    if (proven) checked.description = await describedBy(checked.entry.description, receipt.leaf.meta);
    update();
  }));
  if (view.lookup.entries.some((c) => c.report?.issuer == null)) {
    view.issuers = await listIssuers(notary, undefined, signal);
  }
}

/** Read `#sha256=<hex>`; a new link is a new input. */
function applyHash() {
  const hash = location.hash;
  const match = HASH_RE.exec(hash);
  state.linkInvalid = match === null && hash.startsWith("#sha256=");
  state.expected = match === null ? null : `sha256:${match[1].toLowerCase()}`;
  startRun();
}

/** @param {unknown} error */
function guardFailed(error) {
  console.error(error);
  const detail = String(/** @type {Error} */ (error)?.message ?? error);
  showVerdict({ verdict: "could_not_check", reason: "page_error", text: t("error.generic", { detail }) }, "");
}

/** @param {Promise<unknown>} task */
function guard(task) {
  task.catch(guardFailed);
}

// ---------------------------------------------------------------- the verdict

/**
 * The verdict for the current run's inputs, from its view alone.
 * @param {Run} run
 * @returns {Decision}
 */
function decide(run) {
  const { inputs, view } = run;
  const pending = (/** @type {string} */ reason, /** @type {string} */ text) => /** @type {Decision} */ ({ verdict: "pending", reason, text });
  if (inputs.documentFile !== null && view.document === null) {
    const percent = state.hashing?.percent ? ` ${state.hashing.percent} %` : "";
    return pending("hashing", `${t("hashing", { name: inputs.documentFile.name })}${percent}`);
  }
  const digest = view.document?.digest ?? null;
  if (digest !== null && inputs.expected !== null && digest !== inputs.expected) {
    return { verdict: "not_valid", reason: "link_mismatch", text: t("verdict.not_valid", { reason: t("digest.differs") }) };
  }
  if (inputs.receiptFile !== null) return decideReceipt(view.receipt, digest, inputs.expected);
  if (view.lookup.state !== "idle" || digest !== null || inputs.expected !== null) return decideLookup(view, digest);
  return pending("idle", t("results.empty"));
}

/**
 * @param {ReceiptCheck | null} check
 * @param {string | null} digest
 * @param {string | null} expected
 * @returns {Decision}
 */
function decideReceipt(check, digest, expected) {
  if (check === null || check.state === "reading" || check.state === "checking") {
    return { verdict: "pending", reason: "checking", text: t("lookup.loading") };
  }
  if (check.state === "invalid" || check.receipt === null) {
    return { verdict: "not_valid", reason: "receipt_malformed", text: check.error };
  }
  if (digest === null && expected !== null && check.receipt.leaf.digest !== expected) {
    return { verdict: "not_valid", reason: "link_mismatch", text: t("verdict.not_valid", { reason: t("receiptfile.otherlink") }) };
  }
  return fromReport(/** @type {Report} */ (check.report), digest, { issuer: check.report?.issuer?.name ?? "", kind: check.receipt.leaf.kind });
}

/**
 * @param {View} view
 * @param {string | null} digest
 * @returns {Decision}
 */
function decideLookup(view, digest) {
  const { lookup } = view;
  if (lookup.state === "idle" || lookup.state === "loading") return { verdict: "pending", reason: "checking", text: t("lookup.loading") };
  if (lookup.state === "error") {
    return { verdict: "could_not_check", reason: "notary_unreachable", text: t("verdict.could_not_check", { reason: t("lookup.error", { detail: lookup.error }) }) };
  }
  if (lookup.state === "none") return { verdict: "not_valid", reason: "unknown_digest", text: t("verdict.not_valid", { reason: t("lookup.none") }) };
  const entries = lookup.entries;
  if (entries.some((c) => c.entry.receipt !== null && c.report === null && c.error === null)) {
    return { verdict: "pending", reason: "checking", text: t("lookup.loading") };
  }
  const checked = entries.filter((c) => c.report !== null);
  const best = checked.find((c) => c.report?.ok)
    ?? checked.find((c) => verdictOf(/** @type {Report} */ (c.report)) === "could_not_check")
    ?? (entries.some((c) => c.report === null) ? null : checked[0]);
  if (best === undefined || best === null) {
    const broken = entries.find((c) => c.error !== null);
    if (broken) {
      return { verdict: "could_not_check", reason: "receipt_unreadable", text: t("verdict.could_not_check", { reason: t("error.receipt", { detail: broken.error ?? "" }) }) };
    }
    return { verdict: "could_not_check", reason: "not_anchored", text: t("verdict.could_not_check", { reason: t("state.pending") }) };
  }
  const issuer = best.report?.issuer?.name ?? view.issuers?.get(best.entry.issuer)?.name ?? "";
  return fromReport(/** @type {Report} */ (best.report), digest, { issuer, kind: best.entry.kind });
}

/**
 * A report's verdict; without a hashed document a passed check only describes the record.
 * @param {Report} report
 * @param {string | null} digest
 * @param {{issuer: string, kind: string}} record
 * @returns {Decision}
 */
function fromReport(report, digest, record) {
  const verdict = verdictOf(report);
  const step = report.failedStep;
  if (verdict === "not_valid" && step !== null) {
    return { verdict, reason: step.code, text: t("verdict.not_valid", { reason: stepText(step) }) };
  }
  if (verdict === "could_not_check" && step !== null) {
    const failed = step.code === "trust_missing" ? current().inputs.config.loadError : null;
    if (failed) {
      const reason = t("code.config_unavailable", { url: failed.url, error: failed.error, missing: String(step.details.missing) });
      return { verdict, reason: "config_unavailable", text: t("verdict.could_not_check", { reason }) };
    }
    return { verdict, reason: step.code, text: t("verdict.could_not_check", { reason: stepText(step) }) };
  }
  if (digest !== null) return { verdict: "valid", reason: "valid", text: t("verdict.valid") };
  const anchored = report.steps.find((s) => s.name === "anchor")?.details.timestamp;
  return {
    verdict: "record_only",
    reason: "no_document",
    text: t("verdict.record_only", {
      issuer: record.issuer || t("field.unknown"),
      date: formatTime(Number(anchored), state.language),
      kind: kindText(record.kind),
      status: t("state.valid"),
    }),
  };
}

// ---------------------------------------------------------------- rendering

function render() {
  if (state.run === null) return; // before start-up completes
  renderConfig();
  renderLink();
  renderResults();
  renderShare();
}

/** The current run (there is always one after start-up). */
function current() {
  if (state.run === null) throw new Error("no run yet");
  return state.run;
}

/** A config.json that could not be loaded is said so, not silently replaced by defaults. */
function renderConfig() {
  const box = byId("config-info");
  const failed = state.config.loadError;
  box.replaceChildren();
  if (failed) box.append(h("p", { class: "notice notice--warn", "data-config": "failed" }, t("config.failed", { url: failed.url, error: failed.error })));
  box.hidden = box.childElementCount === 0;
}

function renderLink() {
  const box = byId("link-info");
  box.replaceChildren();
  const { inputs } = current();
  if (state.linkInvalid) {
    box.append(h("p", { class: "notice notice--warn" }, t("link.invalid")));
  } else if (inputs.expected !== null) {
    box.append(h("p", {}, t("link.expected", { digest: "" }), h("code", { class: "digest" }, inputs.expected)));
    if (inputs.documentFile === null) {
      box.append(h("p", { class: "notice notice--warn", "data-paper": "unchecked" },
        h("strong", {}, t("link.unchecked")), " ", t("link.howto")));
    }
  }
  box.hidden = box.childElementCount === 0;
}

/**
 * Show a decision in the verdict element (an aria-live status region).
 * @param {Decision} decision
 * @param {string} digest the document digest it is for, empty without a document
 */
function showVerdict(decision, digest) {
  const element = byId("verdict");
  element.dataset.verdict = decision.verdict;
  element.dataset.reason = decision.reason;
  element.dataset.for = digest;
  element.dataset.run = String(state.runs);
  element.className = `summary summary--${decision.verdict}`;
  element.textContent = decision.text;
}

function renderResults() {
  const run = current();
  const { view } = run;
  showVerdict(decide(run), view.document?.digest ?? "");
  const out = byId("results");
  out.replaceChildren();
  if (view.document !== null) out.append(documentBlock(view.document, run.inputs.expected));
  if (view.lookup.state !== "idle") out.append(lookupBlock(view.lookup, view));
  if (view.receipt !== null) out.append(receiptBlock(view.receipt));
}

/**
 * @param {{name: string, digest: string}} doc
 * @param {string | null} expected the link's digest
 */
function documentBlock(doc, expected) {
  const rows = [
    [t("digest.file"), doc.name],
    [t("digest.label"), h("code", { class: "digest", id: "digest-value" }, doc.digest)],
  ];
  const block = h("section", { class: "card", "aria-labelledby": "document-result-heading" },
    h("h3", { id: "document-result-heading" }, t("document.heading")),
    definitionList(rows));
  if (expected !== null) {
    const matches = expected === doc.digest;
    block.append(h("p", { class: `notice ${matches ? "notice--ok" : "notice--bad"}`, "data-match": String(matches) },
      h("span", { class: "glyph", "aria-hidden": "true" }, matches ? "✓" : "✗"), " ",
      t(matches ? "digest.matches" : "digest.differs")));
  }
  return block;
}

/**
 * @param {Lookup} lookup
 * @param {View} view
 */
function lookupBlock(lookup, view) {
  const block = h("section", { class: "card", "aria-labelledby": "lookup-heading", "data-lookup": lookup.state },
    h("h3", { id: "lookup-heading" }, t("lookup.heading")));
  if (lookup.state === "loading") block.append(h("p", {}, t("lookup.loading")));
  if (lookup.state === "none") block.append(h("p", { class: "notice notice--bad" }, t("lookup.none")));
  if (lookup.state === "error") block.append(h("p", { class: "notice notice--warn" }, t("lookup.error", { detail: lookup.error })));
  if (lookup.state === "found") {
    const count = lookup.entries.length;
    block.append(h("p", {}, count === 1 ? t("lookup.found.one") : t("lookup.found.many", { count })));
    const list = h("ol", { class: "entries" });
    lookup.entries.forEach((checked, i) => list.append(entryItem(checked, i + 1, view)));
    block.append(list);
  }
  return block;
}

/**
 * @param {CheckedEntry} checked
 * @param {number} n
 * @param {View} view
 */
function entryItem(checked, n, view) {
  const { entry, report } = checked;
  const headingId = `entry-${n}-heading`;
  const item = h("li", { class: "entry", "aria-labelledby": headingId, "data-status": entry.status });
  item.append(h("h4", { id: headingId }, t("entry.heading", { n })));
  const issuer = report?.issuer ?? view.issuers?.get(entry.issuer) ?? null;
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
  if (checked.description !== null) item.append(descriptionBlock(checked.description, n));
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

/**
 * The issuer's description of the document, proven by the anchored leaf's `meta`.
 * @param {import("./notary.mjs").Description} description
 * @param {number} n
 */
function descriptionBlock(description, n) {
  /** @type {[string, Node | string][]} */
  const rows = [];
  if (description.title) rows.push([t("description.title"), description.title]);
  if (description.reference) rows.push([t("description.reference"), description.reference]);
  const headingId = `entry-${n}-description`;
  return h("section", { class: "description", "aria-labelledby": headingId, "data-description": "verified" },
    h("h5", { id: headingId }, t("description.heading")),
    h("p", { class: "hint" }, t("description.caption")),
    definitionList(rows));
}

/** @param {ReceiptCheck} check */
function receiptBlock(check) {
  const block = h("section", { class: "card", "aria-labelledby": "receipt-result-heading", "data-receipt": check.state },
    h("h3", { id: "receipt-result-heading" }, t("receiptfile.heading", { name: check.name })));
  if (check.state === "invalid") block.append(h("p", { class: "notice notice--bad" }, check.error));
  if (check.state === "checking" || check.state === "reading") block.append(h("p", {}, t("lookup.loading")));
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
    case "wrong_chain": return t("code.wrong_chain", { configured: d.configured_chain_id, receipt: d.receipt_chain_id });
    case "node_wrong_chain": return t("code.node_wrong_chain", { node: d.node_chain_id, configured: d.configured_chain_id });
    case "node_not_synced": return t("code.node_not_synced", { block: formatInteger(Number(d.block), state.language), head: formatInteger(Number(d.head), state.language) });
    case "trust_missing": return t("code.trust_missing", { missing: String(d.missing) });
    case "issuer_ok": return t("code.issuer_ok", { name: String(d.name), ags: String(d.ags) });
    case "status_suspended":
    case "status_revoked":
    case "status_superseded": return t(`code.${step.code}`, { date: date(d.since) });
    case "chain_unreadable": {
      const error = String(d.error ?? step.message);
      const url = typeof d.url === "string" && !error.includes(d.url) ? `${d.url}: ` : "";
      return t("code.chain_unreadable", { detail: `${url}${error}` });
    }
    case "block_number_differs":
    case "timestamp_differs": return t(`code.${step.code}`, { chain: String(d.chain), receipt: String(d.receipt) });
    default: return t(`code.${step.code}`);
  }
}

function renderShare() {
  const section = byId("share");
  const { view, inputs } = current();
  // the record's fingerprint: the hashed document's, the link's, or the receipt's
  const digest = view.document?.digest ?? inputs.expected ?? view.receipt?.receipt?.leaf.digest ?? null;
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
  if (documentFile) setDocument(documentFile);
  if (receipt) setReceipt(receipt);
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

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const TRUST_FIELDS = /** @type {const} */ (["anchor", "issuer", "status"]);

/**
 * The expert settings: the notary, the node and the trust anchors. The chain id and
 * the three registries are set together or not at all: a partial set would mix the
 * configured deployment with another, so it is refused.
 */
function wireSettings() {
  const form = /** @type {HTMLFormElement} */ (byId("settings-form"));
  const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (byId(id));
  const notary = input("setting-notary");
  const rpc = input("setting-rpc");
  const chainId = input("setting-chain-id");
  const registries = { anchor: input("setting-anchor"), issuer: input("setting-issuer"), status: input("setting-status") };
  const trustInputs = [chainId, ...TRUST_FIELDS.map((name) => registries[name])];
  notary.value = state.config.notary;
  rpc.value = state.config.rpc;
  chainId.value = state.config.chainId === null ? "" : String(state.config.chainId);
  for (const name of TRUST_FIELDS) registries[name].value = state.config.registries[name] ?? "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = byId("settings-message");
    const notaryUrl = resolveUrl(notary.value.trim(), location.href);
    const rpcUrl = resolveUrl(rpc.value.trim(), location.href);
    const id = chainId.value.trim();
    const validId = /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id));
    const anyTrust = trustInputs.some((field) => field.value.trim() !== "");
    const malformed = [
      notaryUrl === null ? notary : null,
      rpcUrl === null ? rpc : null,
      id !== "" && !validId ? chainId : null,
      ...TRUST_FIELDS.map((name) => (registries[name].value.trim() !== "" && !ADDRESS_RE.test(registries[name].value.trim()) ? registries[name] : null)),
    ].find((field) => field !== null) ?? null;
    const missing = anyTrust ? trustInputs.find((field) => field.value.trim() === "") ?? null : null;
    for (const field of [notary, rpc, ...trustInputs]) field.removeAttribute("aria-invalid");
    const invalid = malformed ?? missing;
    if (invalid !== null) {
      invalid.setAttribute("aria-invalid", "true");
      const label = document.querySelector(`label[for="${invalid.id}"]`)?.textContent ?? invalid.id;
      message.textContent = t(malformed !== null ? "settings.invalid" : "settings.incomplete", { field: label });
      invalid.focus();
      return;
    }
    /** @type {import("./rpc.mjs").Registries} */
    const trusted = {};
    if (anyTrust) for (const name of TRUST_FIELDS) trusted[name] = registries[name].value.trim().toLowerCase();
    state.config = {
      notary: /** @type {string} */ (notaryUrl),
      rpc: /** @type {string} */ (rpcUrl),
      chainId: anyTrust ? Number(id) : null,
      registries: trusted,
      loadError: anyTrust ? null : state.config.loadError,
    };
    message.textContent = t("settings.applied");
    startRun();
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
    if (file) setDocument(file);
  });
  receiptInput.addEventListener("change", () => {
    const file = receiptInput.files?.[0];
    if (file) setReceipt(file);
  });
  makeDropZone(byId("document-zone"), routeFiles);
  makeDropZone(byId("receipt-zone"), (files) => setReceipt(files[0]));
  byId("qr-print").addEventListener("click", () => window.print());
  wireSettings();
  window.addEventListener("hashchange", applyHash);
  applyHash();
  document.body.dataset.ready = "true";
}

guard(main());
