import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { configFrom, DEFAULTS, loadConfig } from "../../clients/govchain_client/web/js/config.mjs";
import { formatTime, initialLanguage, LANGUAGES, MESSAGES, translator } from "../../clients/govchain_client/web/js/i18n.mjs";
import { describedBy, entryFrom, lookupDigest, NotaryError } from "../../clients/govchain_client/web/js/notary.mjs";
import { digestBytes, digestFile, formatDigest } from "../../clients/govchain_client/web/js/digest.mjs";
import { canonicalize } from "../../clients/govchain_client/web/js/jcs.mjs";
import { loadVectors, WEB } from "./support.mjs";

const APP = readFileSync(`${WEB}js/app.mjs`, "utf8");
const HTML = readFileSync(`${WEB}index.html`, "utf8");

test("German and English have the same keys, none of them empty", () => {
  assert.deepEqual(LANGUAGES, ["de", "en"]);
  assert.deepEqual(Object.keys(MESSAGES.de).sort(), Object.keys(MESSAGES.en).sort());
  for (const language of LANGUAGES) {
    for (const [key, text] of Object.entries(MESSAGES[language])) assert.ok(text.trim(), `${language} ${key}`);
  }
});

test("every text the page asks for exists", () => {
  const used = new Set([
    ...[...APP.matchAll(/\bt\("([\w.]+)"/g)].map((m) => m[1]),
    ...[...HTML.matchAll(/data-i18n(?:-aria-label)?="([\w.]+)"/g)].map((m) => m[1]),
  ]);
  for (const prefix of ["kind.certificate", "kind.register", "kind.iot", "kind.dataset", "state.valid", "state.suspended",
    "state.revoked", "state.superseded", "step.format", "step.inclusion", "step.anchor", "step.issuer",
    "stepstatus.passed", "stepstatus.failed", "stepstatus.error", "stepstatus.skipped"]) used.add(prefix);
  for (const code of ["format_ok", "document_mismatch", "inclusion_ok", "inclusion_rejected", "anchor_ok", "wrong_chain",
    "no_checkpoint", "root_differs", "block_number_differs", "timestamp_differs", "block_hash_differs",
    "registry_untrusted", "tx_unknown", "tx_failed", "tx_wrong_registry", "tx_no_event", "issuer_ok", "issuer_unknown",
    "issuer_not_trusted", "kind_not_allowed", "status_suspended", "status_revoked", "status_superseded",
    "chain_unreadable", "skipped"]) used.add(`code.${code}`);
  assert.ok(used.size > 60, `${used.size}`);
  for (const key of used) assert.ok(Object.hasOwn(MESSAGES.de, key), key);
});

test("the verifier's step codes all have texts", () => {
  const verify = readFileSync(`${WEB}js/verify.mjs`, "utf8");
  const codes = new Set([...verify.matchAll(/(?:new StepFailed|fieldFailed)\("([a-z_]+)"|return \["([a-z_]+)"|code: "([a-z_]+)"/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]));
  for (const state of ["suspended", "revoked", "superseded"]) codes.add(`status_${state}`);
  assert.ok(codes.size >= 19, [...codes].join());
  for (const code of codes) assert.ok(Object.hasOwn(MESSAGES.en, `code.${code}`), code);
});

test("translation fills placeholders and shows unknown keys as they are", () => {
  const t = translator("en");
  assert.equal(t("lookup.found.many", { count: 3 }), "3 notarisations found.");
  assert.equal(t("no.such.key"), "no.such.key");
  assert.equal(translator("fr")("results.heading"), "Ergebnis");
  assert.equal(initialLanguage("en"), "en");
  assert.equal(initialLanguage("xx"), "de");
  assert.equal(initialLanguage(null), "de");
  assert.equal(formatTime(1_790_000_000, "de"), "21. September 2026 um 16:13 Uhr");
  assert.equal(formatTime(1_790_000_000, "en"), "21 September 2026 at 16:13");
});

test("config.json is merged over the defaults; malformed parts are ignored", async () => {
  const page = "https://notar.example.de/pruefen/index.html";
  assert.deepEqual(configFrom(null, page), { ...DEFAULTS, registries: {} });
  const config = configFrom({
    notary: "/", rpc: "https://rpc.example.de:8545/", chainId: 1337,
    registries: { anchor: `0x${"AB".repeat(20)}`, status: "nope", issuer: 5 },
  }, page);
  assert.equal(config.notary, "https://notar.example.de");
  assert.equal(config.rpc, "https://rpc.example.de:8545");
  assert.equal(config.chainId, 1337);
  assert.deepEqual(config.registries, { anchor: `0x${"ab".repeat(20)}` });
  assert.equal(configFrom({ notary: "javascript:alert(1)", chainId: -1 }, page).notary, DEFAULTS.notary);
  const missing = await loadConfig(page, async () => new Response("", { status: 404 }));
  assert.equal(missing.rpc, DEFAULTS.rpc);
  const broken = await loadConfig(page, async () => new Response("{", { status: 200 }));
  assert.equal(broken.notary, DEFAULTS.notary);
});

test("the notary's lookup is read tolerantly; a non-notary 404 is an error, not 'not notarised'", async () => {
  const json = (/** @type {unknown} */ body, status = 200, type = "application/json") =>
    async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
  assert.equal(await lookupDigest("http://n", "sha256:00", json({ title: "Not Found" }, 404, "application/problem+json")), null);
  await assert.rejects(lookupDigest("http://n", "sha256:00", async () => new Response("<h1>404</h1>", { status: 404, headers: { "Content-Type": "text/html" } })), NotaryError);
  await assert.rejects(lookupDigest("http://n", "sha256:00", json({}, 500)), NotaryError);
  await assert.rejects(lookupDigest("http://n", "sha256:00", json({ nothing: true })), NotaryError);
  const entries = await lookupDigest("http://n", "sha256:00", json({ digest: "sha256:00", receipts: [
    { id: "r1", status: "pending", digest: "sha256:00", kind: "certificate", issuer: "0x1", leaf: {}, extra: 1 },
    null,
    { id: "r2", status: "anchored", receipt: { leaf: { kind: "register", issuer: "0x2" } }, document_status: { state: "revoked", since: 5 } },
  ] }));
  assert.equal(entries?.length, 2);
  assert.deepEqual(entries?.[1], { id: "r2", status: "anchored", digest: "", kind: "register", issuer: "0x2",
    receipt: { leaf: { kind: "register", issuer: "0x2" } }, documentStatus: { state: "revoked", since: 5, supersededBy: null }, description: null });
  assert.equal(entryFrom({ status: "anchored" })?.status, "pending", "anchored without a receipt is not anchored");
  assert.equal(entryFrom({ document_status: { state: "stolen" } })?.documentStatus, null);
});

test("the page has no inline script or style and loads nothing from elsewhere", () => {
  assert.doesNotMatch(HTML, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(HTML, /\sstyle=|<style|\son[a-z]+=/i);
  assert.doesNotMatch(HTML, /(src|href)="(https?:)?\/\//);
  assert.match(HTML, /Content-Security-Policy" content="default-src 'none'; script-src 'self'/);
  assert.doesNotMatch(APP, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
});

test("the issuer's description is shown only when the leaf's meta is its digest", async () => {
  const description = { title: "Meldebescheinigung", reference: "AZ 33-2026/0815", nonce: "ab".repeat(16) };
  const meta = formatDigest(await digestBytes(canonicalize(description)));
  assert.deepEqual(await describedBy(description, meta), { title: "Meldebescheinigung", reference: "AZ 33-2026/0815" });
  assert.equal(await describedBy({ ...description, reference: "AZ 99" }, meta), null, "changed by the notary");
  assert.equal(await describedBy(description, undefined), null, "a leaf without meta");
  assert.equal(await describedBy(null, meta), null);
  const long = { title: "x".repeat(201), reference: "", nonce: "00" };
  assert.equal(await describedBy(long, formatDigest(await digestBytes(canonicalize(long)))), null, "too long to be a caption");
  const empty = { nonce: "00" };
  assert.equal(await describedBy(empty, formatDigest(await digestBytes(canonicalize(empty)))), null, "nothing to show");
  assert.equal(entryFrom({ description: ["x"] })?.description, null);
});

test("the shared description vectors: the notary's meta is the digest the page checks", async () => {
  for (const { name, description, meta } of loadVectors("descriptions.json").cases) {
    const shown = await describedBy(description, meta);
    assert.deepEqual(shown, { title: description.title ?? "", reference: description.reference ?? "" }, name);
    assert.equal(await describedBy({ ...description, nonce: "e".repeat(32) }, meta), null, name);
  }
});

test("hashing a file stops when its signal is aborted", async () => {
  const file = new Blob([new Uint8Array(3 * 1024 * 1024)]);
  const controller = new AbortController();
  let chunks = 0;
  const hashing = digestFile(file, {
    wholeFileLimit: 1,
    signal: controller.signal,
    onProgress: () => {
      chunks += 1;
      controller.abort(new Error("the document was replaced"));
    },
  });
  await assert.rejects(hashing, /the document was replaced/);
  assert.equal(chunks, 1);
  const whole = new AbortController();
  whole.abort(new Error("replaced"));
  await assert.rejects(digestFile(new Blob(["x"]), { signal: whole.signal }), /replaced/);
});
