/**
 * The notary's public digest lookup, `GET {notary}/v1/digests/sha256:<hex>`: every
 * receipt of a digest and the document's current status. Only the digest is sent,
 * never the file. The answer is read tolerantly: unknown fields are ignored and
 * malformed entries are skipped, because the page checks anchored receipts itself.
 *
 * An entry may carry the issuer's public `description` of the document (`title`,
 * `reference`), given at notarisation. The notary is not trusted for it: the page shows
 * it only when its digest, sha256 of its RFC 8785 bytes, is the `meta` digest of the
 * anchored leaf ({@link describedBy}).
 *
 * @module notary
 */

import { digestBytes, formatDigest } from "./digest.mjs";
import { canonicalize } from "./jcs.mjs";

/** The notary could not be asked or did not answer as expected. */
export class NotaryError extends Error {}

/**
 * @typedef {object} DocumentStatusView
 * @property {"valid" | "suspended" | "revoked" | "superseded"} state
 * @property {number} since
 * @property {string | null} supersededBy
 *
 * @typedef {object} LookupEntry
 * @property {string} id
 * @property {"pending" | "anchored"} status
 * @property {string} digest
 * @property {string} kind
 * @property {string} issuer
 * @property {Record<string, unknown> | null} receipt  a receipt v1 object once anchored
 * @property {DocumentStatusView | null} documentStatus
 * @property {Record<string, unknown> | null} description  as the notary sent it, not yet checked
 *
 * @typedef {object} Description
 * @property {string} title
 * @property {string} reference
 *
 * @typedef {object} IssuerView
 * @property {string} address
 * @property {string} name
 * @property {string} ags
 */

const STATES = ["valid", "suspended", "revoked", "superseded"];

/**
 * @param {string} notary
 * @param {string} path
 * @param {typeof fetch} fetcher
 * @param {AbortSignal} [signal]  the caller's; aborting it rejects with its reason
 * @returns {Promise<Response>}
 */
async function get(notary, path, fetcher, signal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    return await fetcher(`${notary}${path}`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    });
  } catch (error) {
    signal?.throwIfAborted();
    throw new NotaryError(`${notary}: ${/** @type {Error} */ (error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Look a digest up; `null` when the notary knows no receipt of it (HTTP 404).
 * @param {string} notary base URL
 * @param {string} digest `sha256:<hex>`
 * @param {typeof fetch} [fetcher]
 * @param {AbortSignal} [signal]
 * @returns {Promise<LookupEntry[] | null>}
 */
export async function lookupDigest(notary, digest, fetcher = globalThis.fetch.bind(globalThis), signal = undefined) {
  const response = await get(notary, `/v1/digests/${encodeURIComponent(digest)}`, fetcher, signal);
  if (!response.ok) await response.text().catch(() => ""); // read to the end: the request is then complete
  if (response.status === 404) {
    // The notary answers "never notarised" as a JSON problem; an HTML 404 means the
    // address is not a notary at all, which must not read as "not notarised".
    if (!/json/.test(response.headers.get("Content-Type") ?? "")) {
      throw new NotaryError(`${notary}: HTTP 404 without a JSON problem: is this address a notary?`);
    }
    return null;
  }
  if (!response.ok) throw new NotaryError(`${notary}: HTTP ${response.status}`);
  /** @type {any} */
  let body;
  try {
    body = await response.json();
  } catch {
    signal?.throwIfAborted();
    throw new NotaryError(`${notary}: the answer is not JSON`);
  }
  if (body === null || typeof body !== "object" || !Array.isArray(body.receipts)) {
    throw new NotaryError(`${notary}: the answer has no list of receipts`);
  }
  return body.receipts.map(entryFrom).filter((/** @type {LookupEntry | null} */ e) => e !== null);
}

/**
 * @param {any} raw
 * @returns {LookupEntry | null}
 */
export function entryFrom(raw) {
  if (raw === null || typeof raw !== "object") return null;
  const text = (/** @type {unknown} */ v) => (typeof v === "string" ? v : "");
  const receipt = raw.receipt !== null && typeof raw.receipt === "object" && !Array.isArray(raw.receipt) ? raw.receipt : null;
  const leaf = receipt?.leaf ?? raw.leaf ?? {};
  return {
    id: text(raw.id),
    status: raw.status === "anchored" && receipt !== null ? "anchored" : "pending",
    digest: text(raw.digest),
    kind: text(raw.kind) || text(leaf.kind),
    issuer: text(raw.issuer) || text(leaf.issuer),
    receipt,
    documentStatus: statusFrom(raw.document_status),
    description: raw.description !== null && typeof raw.description === "object" && !Array.isArray(raw.description)
      ? raw.description
      : null,
  };
}

const DESCRIPTION_TEXT_MAX = 200;

/**
 * The issuer's description of a document, when the anchored leaf's `meta` is the
 * digest of exactly this object (sha256 of its RFC 8785 bytes); null when it is absent,
 * not a digest match, or not short plain text.
 * @param {Record<string, unknown> | null} description
 * @param {string | undefined} meta  the leaf's `meta`, `sha256:<hex>`
 * @returns {Promise<Description | null>}
 */
export async function describedBy(description, meta) {
  if (description === null || meta === undefined) return null;
  const text = (/** @type {unknown} */ v) => (typeof v === "string" && v.length <= DESCRIPTION_TEXT_MAX ? v : null);
  const title = text(description.title ?? "");
  const reference = text(description.reference ?? "");
  if (title === null || reference === null || (title === "" && reference === "")) return null;
  let digest;
  try {
    digest = formatDigest(await digestBytes(canonicalize(description)));
  } catch {
    return null;
  }
  return digest === meta ? { title, reference } : null;
}

/**
 * @param {any} raw
 * @returns {DocumentStatusView | null}
 */
function statusFrom(raw) {
  if (raw === null || typeof raw !== "object" || !STATES.includes(raw.state)) return null;
  return {
    state: raw.state,
    since: Number.isSafeInteger(raw.since) ? raw.since : 0,
    supersededBy: typeof raw.superseded_by === "string" ? raw.superseded_by : null,
  };
}

/**
 * The issuers the notary lists (`GET /v1/issuers`), by lower-case address; empty on any fault.
 * @param {string} notary
 * @param {typeof fetch} [fetcher]
 * @param {AbortSignal} [signal]
 * @returns {Promise<Map<string, IssuerView>>}
 */
export async function listIssuers(notary, fetcher = globalThis.fetch.bind(globalThis), signal = undefined) {
  /** @type {Map<string, IssuerView>} */
  const issuers = new Map();
  try {
    const response = await get(notary, "/v1/issuers", fetcher, signal);
    if (!response.ok) return issuers;
    const body = await response.json();
    if (!Array.isArray(body)) return issuers;
    for (const item of body) {
      if (item && typeof item.address === "string" && typeof item.name === "string") {
        issuers.set(item.address.toLowerCase(), { address: item.address.toLowerCase(), name: item.name, ags: typeof item.ags === "string" ? item.ags : "" });
      }
    }
  } catch {
    // the issuer names are a convenience; the chain is the authority
    signal?.throwIfAborted();
  }
  return issuers;
}
