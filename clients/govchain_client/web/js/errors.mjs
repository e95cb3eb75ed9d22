/**
 * The verifier core's exceptions, one root for all of them, mirroring
 * core/govchain_core/errors.py class for class (the `name` of each class is the
 * Python class name, so tests compare both implementations by name).
 *
 * CoreError
 * ├── DigestError            malformed or unsupported `sha256:<hex>` digest
 * ├── CanonicalJSONError     a value RFC 8785 cannot represent (NaN, lone surrogate, …)
 * ├── LeafRecordError        a leaf record that breaks the v1 rules
 * ├── ProofError             a Merkle inclusion or consistency proof that does not verify
 * ├── ChainError             the chain could not be read during verification
 * └── ReceiptError           a receipt file the strict decoder refuses
 *     ├── ReceiptSizeError       over the size limit
 *     ├── ReceiptSyntaxError     not JSON, duplicate keys, trailing data
 *     ├── ReceiptVersionError    unknown major version
 *     └── ReceiptFieldError      a field missing, of the wrong type or out of range;
 *                                `.field` names it as a JSON pointer
 *
 * @module errors
 */

/** Root of every error the verifier core raises on purpose. */
export class CoreError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

export class DigestError extends CoreError {}
export class CanonicalJSONError extends CoreError {}
export class LeafRecordError extends CoreError {}
export class ProofError extends CoreError {}
export class ChainError extends CoreError {}
export class ReceiptError extends CoreError {}
export class ReceiptSizeError extends ReceiptError {}
export class ReceiptSyntaxError extends ReceiptError {}
export class ReceiptVersionError extends ReceiptError {}

/** A receipt field is missing, has the wrong type, or is out of range. */
export class ReceiptFieldError extends ReceiptError {
  /**
   * @param {string} field JSON pointer of the offending field
   * @param {string} message
   */
  constructor(field, message) {
    super(`${field}: ${message}`);
    /** @type {string} */
    this.field = field;
  }
}
