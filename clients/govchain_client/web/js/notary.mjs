/**
 * The notary's public digest lookup, `GET {notary}/v1/digests/sha256:<hex>`: every
 * receipt of a digest and the document's current status. Only the digest is sent,
 * never the file. The answer is read tolerantly: unknown fields are ignored and
 * malformed entries are skipped, because the page checks anchored receipts itself.
 *
 * @module notary
 */

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
 * @returns {Promise<Response>}
 */
async function get(notary, path, fetcher) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    return await fetcher(`${notary}${path}`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      signal: controller.signal,
    });
  } catch (error) {
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
 * @returns {Promise<LookupEntry[] | null>}
 */
export async function lookupDigest(notary, digest, fetcher = globalThis.fetch.bind(globalThis)) {
  const response = await get(notary, `/v1/digests/${encodeURIComponent(digest)}`, fetcher);
  if (response.status === 404) {
    // The notary answers "never notarised" as a JSON problem; an HTML 404 means the
    // address is not a notary at all, which must not read as "not notarised".
    if (!/json/.test(response.headers.get("Content-Type") ?? "")) {
      throw new NotaryError("HTTP 404 without a JSON problem: is this address a notary?");
    }
    return null;
  }
  if (!response.ok) throw new NotaryError(`HTTP ${response.status}`);
  /** @type {any} */
  let body;
  try {
    body = await response.json();
  } catch {
    throw new NotaryError("the answer is not JSON");
  }
  if (body === null || typeof body !== "object" || !Array.isArray(body.receipts)) {
    throw new NotaryError("the answer has no list of receipts");
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
  };
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
 * @returns {Promise<Map<string, IssuerView>>}
 */
export async function listIssuers(notary, fetcher = globalThis.fetch.bind(globalThis)) {
  /** @type {Map<string, IssuerView>} */
  const issuers = new Map();
  try {
    const response = await get(notary, "/v1/issuers", fetcher);
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
  }
  return issuers;
}
