/**
 * The page's settings: optional `config.json` next to index.html, which the notary
 * serves with its own addresses, else the embedded defaults (notary on
 * 127.0.0.1:8000, node JSON-RPC on 127.0.0.1:8545).
 *
 * ```json
 * {"notary": "https://notar.example.de", "rpc": "https://rpc.example.de",
 *  "chainId": 1337, "registries": {"anchor": "0x…", "issuer": "0x…", "status": "0x…"}}
 * ```
 * A relative `notary` or `rpc` (such as `"/"`) is taken relative to the page.
 *
 * `chainId` and `registries` are the page's trust anchors: the only deployment a
 * receipt is checked against. Without them (config.json missing and nothing set in the
 * expert settings) a check ends as "could not check", never trusting a receipt's own
 * registries; a config.json that could not be loaded is kept in `loadError`, so the
 * page can say so instead of silently running on the defaults.
 *
 * @module config
 */

/**
 * @typedef {object} Config
 * @property {string} notary  base URL of the notary's HTTP API
 * @property {string} rpc     a node's JSON-RPC URL
 * @property {number | null} chainId  the consortium chain's id, when known
 * @property {import("./rpc.mjs").Registries} registries
 * @property {{url: string, error: string} | null} [loadError]  why config.json could not be used
 */

/** @type {Readonly<Config>} */
export const DEFAULTS = Object.freeze({
  notary: "http://127.0.0.1:8000",
  rpc: "http://127.0.0.1:8545",
  chainId: null,
  registries: Object.freeze({}),
});

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * Merge a parsed config.json over the defaults, ignoring what is malformed.
 * @param {unknown} raw
 * @param {string} base URL the relative addresses are resolved against
 * @returns {Config}
 */
export function configFrom(raw, base) {
  /** @type {Config} */
  const config = { ...DEFAULTS, registries: {} };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return config;
  const obj = /** @type {Record<string, unknown>} */ (raw);
  for (const key of /** @type {const} */ (["notary", "rpc"])) {
    const value = obj[key];
    if (typeof value === "string" && value !== "") {
      const url = resolveUrl(value, base);
      if (url !== null) config[key] = url;
    }
  }
  if (Number.isSafeInteger(obj.chainId) && /** @type {number} */ (obj.chainId) > 0) {
    config.chainId = /** @type {number} */ (obj.chainId);
  }
  const registries = obj.registries;
  if (registries !== null && typeof registries === "object") {
    for (const name of /** @type {const} */ (["anchor", "issuer", "status"])) {
      const address = /** @type {Record<string, unknown>} */ (registries)[name];
      if (typeof address === "string" && ADDRESS_RE.test(address)) config.registries[name] = address.toLowerCase();
    }
  }
  return config;
}

/**
 * An absolute http(s) URL without a trailing slash, or null.
 * @param {string} value
 * @param {string} base
 * @returns {string | null}
 */
export function resolveUrl(value, base) {
  try {
    const url = new URL(value, base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.href.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

/**
 * Fetch `config.json` next to the page; when it is absent, unreachable or not JSON, the
 * defaults without trust anchors and a `loadError` naming the URL and the error.
 * @param {string} pageUrl
 * @param {typeof fetch} [fetcher]
 * @returns {Promise<Config>}
 */
export async function loadConfig(pageUrl, fetcher = globalThis.fetch.bind(globalThis)) {
  const url = new URL("config.json", pageUrl).href;
  const failed = (/** @type {string} */ error) => ({ ...configFrom(null, pageUrl), loadError: { url, error } });
  let response;
  try {
    response = await fetcher(url, { cache: "no-store", credentials: "omit" });
  } catch (error) {
    return failed(String(/** @type {Error} */ (error)?.message ?? error));
  }
  if (!response.ok) return failed(`HTTP ${response.status}`);
  try {
    return { ...configFrom(await response.json(), pageUrl), loadError: null };
  } catch (error) {
    return failed(`not JSON: ${/** @type {Error} */ (error)?.message ?? error}`);
  }
}
