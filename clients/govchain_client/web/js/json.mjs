/**
 * A strict JSON reader for untrusted receipt files, accepting exactly what the
 * Python core's decoder accepts (Python's `json` with duplicate keys and the
 * NaN/Infinity constants refused). Unlike `JSON.parse` it
 *  - refuses duplicate object keys,
 *  - keeps integers apart from fractions: an integer literal becomes a `number`
 *    when it is a safe integer and a `bigint` otherwise, while a literal with a
 *    fraction or exponent becomes a {@link JsonFloat} (Python reads `5.0` as a
 *    float, which no integer field of a receipt accepts),
 *  - builds objects without a prototype, so keys such as `__proto__` are plain data.
 * Every fault is a `ReceiptSyntaxError`.
 *
 * @module json
 */

import { ReceiptSyntaxError } from "./errors.mjs";

/** Python refuses to convert integer literals longer than this (sys.int_info). */
const MAX_INT_DIGITS = 4300;
/** The Python decoder's limit (receipt_codec.MAX_DEPTH): a receipt nests 3 levels. */
const MAX_DEPTH = 16;

/** A JSON number written with a fraction or an exponent. */
export class JsonFloat {
  /** @param {number} value */
  constructor(value) {
    /** @type {number} */
    this.value = value;
  }
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const WHITESPACE = " \t\r\n";
/** @type {Record<string, string>} */
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Skip JSON whitespace (space, tab, CR, LF) from `position`.
 * @param {string} text
 * @param {number} position
 * @returns {number}
 */
export function skipSpace(text, position) {
  while (position < text.length && WHITESPACE.includes(text[position])) position += 1;
  return position;
}

/**
 * Parse one JSON value that fills the whole text (whitespace around it allowed).
 * @param {string} text
 * @returns {unknown}
 */
export function parseStrict(text) {
  const reader = new Reader(text);
  const value = reader.value(skipSpace(text, 0), 0);
  const end = skipSpace(text, reader.position);
  if (end !== text.length) {
    throw new ReceiptSyntaxError(`trailing data after the receipt object at ${reader.position}`);
  }
  return value;
}

class Reader {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
    this.position = 0;
  }

  /**
   * @param {string} what
   * @param {number} at
   * @returns {never}
   */
  fail(what, at) {
    throw new ReceiptSyntaxError(`receipt is not valid JSON: ${what} at ${at}`);
  }

  /**
   * Read a value starting exactly at `at`; leaves `this.position` after it.
   * @param {number} at
   * @param {number} depth
   * @returns {unknown}
   */
  value(at, depth) {
    const { text } = this;
    const char = text[at];
    if (char === "{") return this.object(at + 1, depth + 1);
    if (char === "[") return this.array(at + 1, depth + 1);
    if (char === '"') return this.string(at + 1);
    if (char === "n" && text.startsWith("null", at)) return this.done(at + 4, null);
    if (char === "t" && text.startsWith("true", at)) return this.done(at + 4, true);
    if (char === "f" && text.startsWith("false", at)) return this.done(at + 5, false);
    for (const constant of ["NaN", "Infinity", "-Infinity"]) {
      if (text.startsWith(constant, at)) {
        throw new ReceiptSyntaxError(`${constant} is not allowed in a receipt`);
      }
    }
    NUMBER_RE.lastIndex = at;
    const match = NUMBER_RE.exec(text);
    if (match === null) return this.fail("expecting value", at);
    this.position = at + match[0].length;
    if (match[1] === undefined && match[2] === undefined) return integer(match[0]);
    return new JsonFloat(Number(match[0]));
  }

  /**
   * @template T
   * @param {number} end
   * @param {T} value
   * @returns {T}
   */
  done(end, value) {
    this.position = end;
    return value;
  }

  /**
   * @param {number} at position after the opening brace
   * @param {number} depth
   * @returns {Record<string, unknown>}
   */
  object(at, depth) {
    if (depth > MAX_DEPTH) throw new ReceiptSyntaxError("receipt JSON is nested too deeply");
    const { text } = this;
    /** @type {Record<string, unknown>} */
    const result = Object.create(null);
    /** @type {string[]} */
    const keys = [];
    let position = skipSpace(text, at);
    if (text[position] === "}") {
      this.position = position + 1;
      return result;
    }
    for (;;) {
      if (text[position] !== '"') return this.fail("expecting property name in double quotes", position);
      const key = this.string(position + 1);
      position = skipSpace(text, this.position);
      if (text[position] !== ":") return this.fail("expecting ':' delimiter", position);
      const item = this.value(skipSpace(text, position + 1), depth);
      keys.push(key);
      result[key] = item;
      position = skipSpace(text, this.position);
      if (text[position] === "}") break;
      if (text[position] !== ",") return this.fail("expecting ',' delimiter", position);
      position = skipSpace(text, position + 1);
    }
    this.position = position + 1;
    // As Python's object_pairs_hook does: duplicates are found once the object is read.
    if (new Set(keys).size !== keys.length) {
      const seen = new Set();
      for (const key of keys) {
        if (seen.has(key)) throw new ReceiptSyntaxError(`duplicate key ${JSON.stringify(key)}`);
        seen.add(key);
      }
    }
    return result;
  }

  /**
   * @param {number} at position after the opening bracket
   * @param {number} depth
   * @returns {unknown[]}
   */
  array(at, depth) {
    if (depth > MAX_DEPTH) throw new ReceiptSyntaxError("receipt JSON is nested too deeply");
    const { text } = this;
    /** @type {unknown[]} */
    const result = [];
    let position = skipSpace(text, at);
    if (text[position] === "]") {
      this.position = position + 1;
      return result;
    }
    for (;;) {
      result.push(this.value(position, depth));
      position = skipSpace(text, this.position);
      if (text[position] === "]") break;
      if (text[position] !== ",") return this.fail("expecting ',' delimiter", position);
      position = skipSpace(text, position + 1);
    }
    this.position = position + 1;
    return result;
  }

  /**
   * @param {number} at position after the opening quote
   * @returns {string}
   */
  string(at) {
    const { text } = this;
    let out = "";
    let position = at;
    for (;;) {
      if (position >= text.length) return this.fail("unterminated string", at - 1);
      const char = text[position];
      if (char === '"') break;
      if (char < " ") return this.fail("invalid control character", position);
      if (char !== "\\") {
        out += char;
        position += 1;
        continue;
      }
      const escape = text[position + 1];
      if (escape === "u") {
        const hex = text.slice(position + 2, position + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return this.fail("invalid \\uXXXX escape", position);
        out += String.fromCharCode(parseInt(hex, 16));
        position += 6;
      } else if (escape !== undefined && Object.hasOwn(ESCAPES, escape)) {
        out += ESCAPES[escape];
        position += 2;
      } else {
        return this.fail("invalid \\escape", position);
      }
    }
    this.position = position + 1;
    return out;
  }
}

/**
 * @param {string} literal
 * @returns {number | bigint}
 */
function integer(literal) {
  const digits = literal.startsWith("-") ? literal.length - 1 : literal.length;
  if (digits > MAX_INT_DIGITS) {
    throw new ReceiptSyntaxError("receipt is not acceptable JSON: integer literal too long");
  }
  const value = Number(literal);
  return Number.isSafeInteger(value) ? value : BigInt(literal);
}
