/**
 * A {@link import("./verify.mjs").ChainReader} over a node's Ethereum JSON-RPC,
 * called straight from the browser with `fetch` (the node answers with open CORS):
 * `eth_chainId`, `eth_blockNumber`, `eth_call` to AnchorRegistry.checkpoint,
 * IssuerRegistry.getIssuer and StatusRegistry.status, `eth_getTransactionReceipt`
 * for the anchoring transaction and `eth_getBlockByNumber` for block hashes.
 * The registries and the chain id are the trust anchors the page is configured with;
 * the reader never learns a registry from the chain or from a receipt.
 * Every failure to read (network, timeout, JSON-RPC error, revert, malformed answer)
 * becomes a `ChainError` carrying the node's `url`, which the verifier reports as an
 * `error`, never as `failed`. Aborting the reader's `signal` (the page does so when
 * its inputs change) rejects every request with the signal's reason instead.
 *
 * @module rpc
 */

import { ChainError } from "./errors.mjs";
import {
  AbiDecodeError,
  callData,
  decodeSafeUint,
  decodeSaturatedUint,
  decodeString,
  decodeUint,
  encodeAddress,
  encodeBytes32,
  encodeUint,
  returnBytes,
  tupleBody,
  words,
} from "./abi.mjs";
import { toHex } from "./bytes.mjs";
import { DOCUMENT_STATES } from "./verify.mjs";

/**
 * Registry addresses the operator vouches for (config.json `registries` or the expert
 * settings); verification needs all three.
 * @typedef {object} Registries
 * @property {string} [anchor]  the AnchorRegistry; receipts naming another are not trusted
 * @property {string} [issuer]  the IssuerRegistry
 * @property {string} [status]  the StatusRegistry
 */

/**
 * @typedef {object} RpcOptions
 * @property {string} url
 * @property {Registries} [registries]
 * @property {number | null} [chainId]  the configured chain's id
 * @property {typeof fetch} [fetch]
 * @property {number} [timeoutMs]
 * @property {AbortSignal} [signal]  aborts every request of this reader
 */

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const HASH_RE = /^0x[0-9a-f]{64}$/;
const DATA_RE = /^0x(?:[0-9a-f]{2})*$/;

/**
 * @param {string | undefined} address
 * @returns {string | undefined}
 */
function normalise(address) {
  if (address === undefined || address === null || address === "") return undefined;
  const lowered = String(address).toLowerCase();
  if (!ADDRESS_RE.test(lowered)) throw new TypeError(`${address} is not a 20-byte address`);
  return lowered;
}

export class JsonRpcChainReader {
  /** @param {RpcOptions} options */
  constructor(options) {
    this.url = options.url;
    const registries = options.registries ?? {};
    this.anchorRegistry = normalise(registries.anchor);
    this.issuerRegistry = normalise(registries.issuer);
    this.statusRegistry = normalise(registries.status);
    this.configuredChainId = options.chainId ?? null;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.signal = options.signal;
    this.nextId = 1;
  }

  /**
   * One JSON-RPC 2.0 request.
   * @param {string} method
   * @param {unknown[]} params
   * @returns {Promise<unknown>}
   */
  async request(method, params) {
    const id = this.nextId;
    this.nextId += 1;
    this.signal?.throwIfAborted();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout.signal]) : timeout.signal;
    /** @type {any} */
    let body;
    let response;
    try {
      response = await this.fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal,
        credentials: "omit",
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      this.signal?.throwIfAborted();
      const reason = timeout.signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : /** @type {Error} */ (error).message;
      throw this.error(`node ${this.url} is not reachable (${reason})`);
    } finally {
      clearTimeout(timer);
    }
    if (body === undefined) throw this.error(`node answered ${method} with HTTP ${response.status} and no JSON`);
    if (body === null || typeof body !== "object" || body.id !== id) {
      throw this.error(`node answered ${method} with an unexpected message`);
    }
    if (body.error) {
      throw this.error(`${method} failed: ${body.error.message ?? "error"} (${body.error.code ?? "?"})`);
    }
    if (!Object.hasOwn(body, "result")) throw this.error(`node answered ${method} without a result`);
    return body.result;
  }

  /**
   * A `ChainError` that names this node.
   * @param {string} message
   * @returns {ChainError}
   */
  error(message) {
    const error = new ChainError(message);
    /** @type {any} */ (error).url = this.url;
    return error;
  }

  /**
   * `eth_call` against the latest block; the raw return data.
   * @param {string} to
   * @param {string} data
   * @returns {Promise<Uint8Array>}
   */
  async call(to, data) {
    const result = await this.request("eth_call", [{ to, data }, "latest"]);
    try {
      return returnBytes(result);
    } catch (error) {
      throw this.decodeError("eth_call", error);
    }
  }

  /**
   * @param {string} what
   * @param {unknown} error
   * @returns {Error}
   */
  decodeError(what, error) {
    if (error instanceof AbiDecodeError) return this.error(`unexpected answer to ${what}: ${error.message}`);
    return /** @type {Error} */ (error);
  }

  /** @returns {Promise<import("./verify.mjs").TrustAnchors>} the configured deployment, the only one trusted */
  async trustAnchors() {
    return {
      chainId: this.configuredChainId,
      anchor: this.anchorRegistry ?? null,
      issuer: this.issuerRegistry ?? null,
      status: this.statusRegistry ?? null,
    };
  }

  /** @returns {Promise<number>} the node's head */
  async blockNumber() {
    return quantity(await this.request("eth_blockNumber", []), "eth_blockNumber", this);
  }

  /**
   * `eth_getTransactionReceipt`, checked for shape; null when the node knows no such transaction.
   * @param {string} txHash `0x` + 64 hex
   * @returns {Promise<import("./verify.mjs").TxReceipt | null>}
   */
  async transactionReceipt(txHash) {
    /** @type {any} */
    const raw = await this.request("eth_getTransactionReceipt", [txHash]);
    if (raw === null) return null;
    const bad = () => this.error("unexpected answer to eth_getTransactionReceipt");
    if (typeof raw !== "object" || !Array.isArray(raw.logs)) throw bad();
    const lower = (/** @type {unknown} */ v, /** @type {RegExp} */ re) => {
      if (typeof v !== "string" || !re.test(v.toLowerCase())) throw bad();
      return v.toLowerCase();
    };
    const logs = raw.logs.map((/** @type {any} */ log) => {
      if (log === null || typeof log !== "object" || !Array.isArray(log.topics)) throw bad();
      return {
        address: lower(log.address, ADDRESS_RE),
        topics: log.topics.map((/** @type {unknown} */ topic) => lower(topic, HASH_RE)),
        data: lower(log.data, DATA_RE),
      };
    });
    return {
      status: quantity(raw.status, "eth_getTransactionReceipt", this),
      blockNumber: quantity(raw.blockNumber, "eth_getTransactionReceipt", this),
      blockHash: lower(raw.blockHash, HASH_RE),
      to: raw.to === null ? null : lower(raw.to, ADDRESS_RE),
      logs,
    };
  }

  /** @returns {Promise<number>} */
  async chainId() {
    return quantity(await this.request("eth_chainId", []), "eth_chainId", this);
  }

  /**
   * @param {string} registry
   * @param {string} issuer
   * @param {number} size
   * @returns {Promise<import("./verify.mjs").AnchoredCheckpoint | null>}
   */
  async checkpoint(registry, issuer, size) {
    if (registry !== this.anchorRegistry) return null;
    const data = await this.call(
      registry,
      callData("AnchorRegistry.checkpoint(address,uint64)", encodeAddress(issuer), encodeUint(size)),
    );
    if (data.length === 0) return null; // no contract at this address
    try {
      const [root, blockNumber, timestamp] = words(data, 3);
      const block = decodeSafeUint(blockNumber);
      if (block === 0) return null;
      return { root: toHex(root), blockNumber: block, timestamp: decodeSafeUint(timestamp) };
    } catch (error) {
      throw this.decodeError("AnchorRegistry.checkpoint", error);
    }
  }

  /**
   * @param {number} number
   * @returns {Promise<string | null>}
   */
  async blockHash(number) {
    /** @type {any} */
    const block = await this.request("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]);
    if (block === null) return null;
    if (typeof block !== "object" || typeof block.hash !== "string") {
      throw this.error("unexpected answer to eth_getBlockByNumber");
    }
    return block.hash.toLowerCase();
  }

  /**
   * @param {string} address
   * @returns {Promise<import("./verify.mjs").IssuerInfo | null>}
   */
  async issuer(address) {
    if (this.issuerRegistry === undefined) throw this.error("the IssuerRegistry address is not configured");
    const data = await this.call(this.issuerRegistry, callData("IssuerRegistry.getIssuer(address)", encodeAddress(address)));
    try {
      const body = tupleBody(data);
      const [nameAt, agsAt, roles, validFrom, validUntil, , registeredAt, removedAt] = words(body, 8);
      if (decodeUint(registeredAt) === 0n) return null;
      return {
        address,
        name: decodeString(body, decodeSafeUint(nameAt)),
        ags: decodeString(body, decodeSafeUint(agsAt)),
        roles: decodeSafeUint(roles),
        validFrom: decodeSaturatedUint(validFrom),
        validUntil: decodeSaturatedUint(validUntil),
        registered: decodeUint(removedAt) === 0n,
      };
    } catch (error) {
      throw this.decodeError("IssuerRegistry.getIssuer", error);
    }
  }

  /**
   * @param {string} issuer
   * @param {string} leafHash 64 hex digits
   * @returns {Promise<import("./verify.mjs").DocumentStatus>}
   */
  async status(issuer, leafHash) {
    if (this.statusRegistry === undefined) throw this.error("the StatusRegistry address is not configured");
    const data = await this.call(
      this.statusRegistry,
      callData("StatusRegistry.status(address,bytes32)", encodeAddress(issuer), encodeBytes32(leafHash)),
    );
    try {
      const [state, since, supersededBy, reason] = words(data, 4);
      const code = decodeSafeUint(state);
      const name = DOCUMENT_STATES[code];
      if (name === undefined) throw new AbiDecodeError(`unknown document state ${code}`);
      const successor = toHex(supersededBy);
      return {
        state: /** @type {import("./verify.mjs").DocumentStatus["state"]} */ (name),
        since: decodeSafeUint(since),
        supersededBy: /^0+$/.test(successor) ? null : successor,
        reason: decodeSafeUint(reason),
      };
    } catch (error) {
      throw this.decodeError("StatusRegistry.status", error);
    }
  }
}

/**
 * @param {unknown} value
 * @param {string} method
 * @param {JsonRpcChainReader} reader
 * @returns {number}
 */
function quantity(value, method, reader) {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(value)) {
    throw reader.error(`unexpected answer to ${method}`);
  }
  return Number.parseInt(value.slice(2), 16);
}

