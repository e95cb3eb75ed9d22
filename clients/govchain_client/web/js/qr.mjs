/**
 * A small QR Code encoder (ISO/IEC 18004) for the links issuers print on documents:
 * byte mode only, error correction level M (15 % of the symbol recoverable),
 * versions 1 to 10 (up to 213 bytes), the mask chosen by the standard's penalty
 * rules, rendered as SVG. No canvas and no inline script, so it runs under a strict
 * Content-Security-Policy.
 *
 * @module qr
 */

import { utf8 } from "./bytes.mjs";

export const MIN_VERSION = 1;
export const MAX_VERSION = 10;

/**
 * Per version (index 1..10), level M: [EC codewords per block, [blocks, data codewords per block]...].
 * @type {[number, ...[number, number][]][]}
 */
const BLOCKS_M = [
  [0],
  [10, [1, 16]],
  [16, [1, 28]],
  [26, [1, 44]],
  [18, [2, 32]],
  [24, [2, 43]],
  [16, [4, 27]],
  [18, [4, 31]],
  [22, [2, 38], [2, 39]],
  [22, [3, 36], [2, 37]],
  [26, [4, 43], [1, 44]],
];

/** Centre coordinates of the alignment patterns, per version. */
const ALIGNMENT = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];

const EC_LEVEL_M_BITS = 0b00;
const FORMAT_GENERATOR = 0x537;
const FORMAT_MASK = 0x5412;
const VERSION_GENERATOR = 0x1f25;

/**
 * An encoded symbol: `modules[row][col]` is true for a dark module.
 * @typedef {object} QrCode
 * @property {number} version
 * @property {number} size
 * @property {number} mask
 * @property {boolean[][]} modules
 */

// ---------------------------------------------------------------- GF(256) and Reed-Solomon

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i += 1) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i += 1) EXP[i] = EXP[i - 255];
}

/**
 * @param {number} a
 * @param {number} b
 * @returns {number}
 */
function gfMultiply(a, b) {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/**
 * Coefficients (highest power first, leading 1 omitted) of ∏ (x - α^i), i < degree.
 * @param {number} degree
 * @returns {number[]}
 */
function generatorPolynomial(degree) {
  let poly = [1];
  for (let i = 0; i < degree; i += 1) {
    const next = new Array(poly.length + 1).fill(0);
    poly.forEach((coefficient, j) => {
      next[j] ^= coefficient;
      next[j + 1] ^= gfMultiply(coefficient, EXP[i]);
    });
    poly = next;
  }
  return poly.slice(1);
}

/**
 * The Reed-Solomon error correction codewords of one block.
 * @param {number[]} data
 * @param {number} degree
 * @returns {number[]}
 */
export function reedSolomon(data, degree) {
  const generator = generatorPolynomial(degree);
  const remainder = new Array(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift();
    remainder.push(0);
    generator.forEach((coefficient, i) => {
      remainder[i] ^= gfMultiply(coefficient, factor);
    });
  }
  return remainder;
}

// ---------------------------------------------------------------- data codewords

/**
 * @param {number} version
 * @returns {number}
 */
function dataCapacity(version) {
  const [, ...groups] = BLOCKS_M[version];
  return groups.reduce((sum, [blocks, size]) => sum + blocks * size, 0);
}

/**
 * @param {number} version
 * @returns {number}
 */
function countBits(version) {
  return version <= 9 ? 8 : 16;
}

/**
 * The smallest version that holds `length` bytes.
 * @param {number} length
 * @returns {number}
 */
export function versionFor(length) {
  for (let version = MIN_VERSION; version <= MAX_VERSION; version += 1) {
    if (4 + countBits(version) + 8 * length <= 8 * dataCapacity(version)) return version;
  }
  throw new RangeError(`${length} bytes do not fit a QR code of version ${MAX_VERSION} (level M)`);
}

/**
 * Mode indicator, character count, data, terminator and padding.
 * @param {Uint8Array} data
 * @param {number} version
 * @returns {number[]}
 */
function dataCodewords(data, version) {
  /** @type {number[]} */
  const bits = [];
  /**
   * @param {number} value
   * @param {number} length
   */
  const put = (value, length) => {
    for (let i = length - 1; i >= 0; i -= 1) bits.push((value >>> i) & 1);
  };
  const capacityBits = 8 * dataCapacity(version);
  put(0b0100, 4);
  put(data.length, countBits(version));
  for (const byte of data) put(byte, 8);
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  /** @type {number[]} */
  const codewords = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  for (let pad = 0xec; codewords.length < capacityBits / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

/**
 * Data split into blocks, each with its error correction, interleaved.
 * @param {number[]} codewords
 * @param {number} version
 * @returns {number[]}
 */
function interleave(codewords, version) {
  const [ecLength, ...groups] = BLOCKS_M[version];
  /** @type {number[][]} */
  const blocks = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let b = 0; b < count; b += 1) {
      blocks.push(codewords.slice(offset, offset + size));
      offset += size;
    }
  }
  const ec = blocks.map((block) => reedSolomon(block, ecLength));
  /** @type {number[]} */
  const out = [];
  const longest = Math.max(...blocks.map((block) => block.length));
  for (let i = 0; i < longest; i += 1) for (const block of blocks) if (i < block.length) out.push(block[i]);
  for (let i = 0; i < ecLength; i += 1) for (const block of ec) out.push(block[i]);
  return out;
}

// ---------------------------------------------------------------- the matrix

/**
 * BCH remainder of `value` (already shifted) by `generator`.
 * @param {number} value
 * @param {number} generator
 * @returns {number}
 */
function bchRemainder(value, generator) {
  const degree = Math.floor(Math.log2(generator));
  let rest = value;
  while (rest > 0 && Math.floor(Math.log2(rest)) >= degree) {
    rest ^= generator << (Math.floor(Math.log2(rest)) - degree);
  }
  return rest;
}

/**
 * The 15 format bits for level M and a mask.
 * @param {number} mask
 * @returns {number}
 */
export function formatBits(mask) {
  const data = (EC_LEVEL_M_BITS << 3) | mask;
  return ((data << 10) | bchRemainder(data << 10, FORMAT_GENERATOR)) ^ FORMAT_MASK;
}

/**
 * The 18 version bits (versions 7 and up).
 * @param {number} version
 * @returns {number}
 */
export function versionBits(version) {
  return (version << 12) | bchRemainder(version << 12, VERSION_GENERATOR);
}

class Matrix {
  /** @param {number} version */
  constructor(version) {
    this.version = version;
    this.size = 17 + 4 * version;
    /** @type {boolean[][]} */
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    /** @type {boolean[][]} */
    this.reserved = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  /**
   * @param {number} row
   * @param {number} col
   * @param {boolean} dark
   */
  fixed(row, col, dark) {
    this.dark[row][col] = dark;
    this.reserved[row][col] = true;
  }

  drawFunctionPatterns() {
    const { size, version } = this;
    for (const [row, col] of [[0, 0], [0, size - 7], [size - 7, 0]]) this.finder(row, col);
    for (let i = 8; i < size - 8; i += 1) {
      this.fixed(6, i, i % 2 === 0);
      this.fixed(i, 6, i % 2 === 0);
    }
    const centres = ALIGNMENT[version];
    const last = centres.length - 1;
    centres.forEach((row, r) => {
      centres.forEach((col, c) => {
        const onFinder = (r === 0 && c === 0) || (r === 0 && c === last) || (r === last && c === 0);
        if (!onFinder) this.alignment(row, col);
      });
    });
    this.drawFormat(0); // reserve the format areas; rewritten once the mask is chosen
    if (version >= 7) {
      const bits = versionBits(version);
      for (let i = 0; i < 18; i += 1) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.fixed(b, a, dark);
        this.fixed(a, b, dark);
      }
    }
  }

  /**
   * A finder pattern with its light separator, top-left corner at (row, col).
   * @param {number} top
   * @param {number} left
   */
  finder(top, left) {
    for (let dr = -1; dr <= 7; dr += 1) {
      for (let dc = -1; dc <= 7; dc += 1) {
        const row = top + dr;
        const col = left + dc;
        if (row < 0 || col < 0 || row >= this.size || col >= this.size) continue;
        const ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
        this.fixed(row, col, ring !== 2 && ring !== 4);
      }
    }
  }

  /**
   * @param {number} row centre
   * @param {number} col centre
   */
  alignment(row, col) {
    for (let dr = -2; dr <= 2; dr += 1) {
      for (let dc = -2; dc <= 2; dc += 1) this.fixed(row + dr, col + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
    }
  }

  /** @param {number} mask */
  drawFormat(mask) {
    const { size } = this;
    const bits = formatBits(mask);
    /** @param {number} i */
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i += 1) this.fixed(i, 8, bit(i));
    this.fixed(7, 8, bit(6));
    this.fixed(8, 8, bit(7));
    this.fixed(8, 7, bit(8));
    for (let i = 9; i < 15; i += 1) this.fixed(8, 14 - i, bit(i));
    for (let i = 0; i < 8; i += 1) this.fixed(8, size - 1 - i, bit(i));
    for (let i = 8; i < 15; i += 1) this.fixed(size - 15 + i, 8, bit(i));
    this.fixed(size - 8, 8, true); // the dark module
  }

  /**
   * Place the codeword bits in the two-column zigzag, right to left.
   * @param {number[]} codewords
   */
  drawCodewords(codewords) {
    const { size } = this;
    let position = 0;
    const total = codewords.length * 8;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((size - 1 - right) >> 1) % 2 === 0;
      for (let step = 0; step < size; step += 1) {
        const row = upward ? size - 1 - step : step;
        for (const col of [right, right - 1]) {
          if (this.reserved[row][col]) continue;
          if (position < total) {
            this.dark[row][col] = ((codewords[position >> 3] >>> (7 - (position & 7))) & 1) === 1;
            position += 1;
          }
        }
      }
    }
  }

  /**
   * Invert the data modules where the mask condition holds.
   * @param {number} mask
   */
  applyMask(mask) {
    for (let row = 0; row < this.size; row += 1) {
      for (let col = 0; col < this.size; col += 1) {
        if (!this.reserved[row][col] && maskCondition(mask, row, col)) this.dark[row][col] = !this.dark[row][col];
      }
    }
  }
}

/**
 * @param {number} mask
 * @param {number} i row
 * @param {number} j column
 * @returns {boolean}
 */
export function maskCondition(mask, i, j) {
  switch (mask) {
    case 0: return (i + j) % 2 === 0;
    case 1: return i % 2 === 0;
    case 2: return j % 3 === 0;
    case 3: return (i + j) % 3 === 0;
    case 4: return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5: return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6: return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    case 7: return (((i + j) % 2) + ((i * j) % 3)) % 2 === 0;
    default: throw new RangeError(`mask ${mask}`);
  }
}

/**
 * The penalty score of ISO/IEC 18004 §7.8.3 (lower is better).
 * @param {boolean[][]} m
 * @returns {number}
 */
export function penalty(m) {
  const size = m.length;
  let score = 0;
  /** @param {(k: number) => boolean} line */
  const scoreLine = (line) => {
    let run = 1;
    for (let k = 1; k <= size; k += 1) {
      if (k < size && line(k) === line(k - 1)) run += 1;
      else {
        if (run >= 5) score += 3 + run - 5;
        run = 1;
      }
    }
    const finderLike = [true, false, true, true, true, false, true];
    for (let k = 0; k + 7 <= size; k += 1) {
      if (!finderLike.every((dark, d) => line(k + d) === dark)) continue;
      const lightBefore = [1, 2, 3, 4].every((d) => k - d < 0 || !line(k - d));
      const lightAfter = [0, 1, 2, 3].every((d) => k + 7 + d >= size || !line(k + 7 + d));
      if (lightBefore || lightAfter) score += 40;
    }
  };
  for (let i = 0; i < size; i += 1) {
    scoreLine((k) => m[i][k]);
    scoreLine((k) => m[k][i]);
  }
  for (let i = 0; i + 1 < size; i += 1) {
    for (let j = 0; j + 1 < size; j += 1) {
      const c = m[i][j];
      if (m[i][j + 1] === c && m[i + 1][j] === c && m[i + 1][j + 1] === c) score += 3;
    }
  }
  const dark = m.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
  score += 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
  return score;
}

/**
 * Encode text (as UTF-8) or bytes into a QR code, level M.
 * @param {string | Uint8Array} content
 * @param {{mask?: number}} [options] force a mask (0-7) instead of the best one
 * @returns {QrCode}
 */
export function encodeQr(content, options = {}) {
  const data = typeof content === "string" ? utf8.encode(content) : content;
  const version = versionFor(data.length);
  const codewords = interleave(dataCodewords(data, version), version);
  const masks = options.mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [options.mask];
  /** @type {QrCode | null} */
  let best = null;
  let bestScore = Infinity;
  for (const mask of masks) {
    const matrix = new Matrix(version);
    matrix.drawFunctionPatterns();
    matrix.drawCodewords(codewords);
    matrix.applyMask(mask);
    matrix.drawFormat(mask);
    const score = penalty(matrix.dark);
    if (score < bestScore) {
      bestScore = score;
      best = { version, size: matrix.size, mask, modules: matrix.dark };
    }
  }
  return /** @type {QrCode} */ (best);
}

/**
 * SVG path data drawing every dark module as a unit square, offset by `border`.
 * @param {QrCode} qr
 * @param {number} [border]
 * @returns {string}
 */
export function qrPathData(qr, border = 4) {
  const parts = [];
  for (let row = 0; row < qr.size; row += 1) {
    for (let col = 0; col < qr.size; col += 1) {
      if (qr.modules[row][col]) parts.push(`M${col + border} ${row + border}h1v1h-1z`);
    }
  }
  return parts.join("");
}

/**
 * A standalone SVG document of the code (for download or printing).
 * @param {QrCode} qr
 * @param {{border?: number, title?: string}} [options]
 * @returns {string}
 */
export function qrToSvg(qr, options = {}) {
  const border = options.border ?? 4;
  const extent = qr.size + 2 * border;
  const title = (options.title ?? "QR code").replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${extent} ${extent}" width="${extent * 8}" height="${extent * 8}" shape-rendering="crispEdges" role="img">` +
    `<title>${title}</title>` +
    `<rect width="${extent}" height="${extent}" fill="#fff"/>` +
    `<path d="${qrPathData(qr, border)}" fill="#000"/></svg>\n`
  );
}
