// SPDX-License-Identifier: EUPL-1.2
pragma solidity 0.8.30;

import {IssuerRegistry} from "./IssuerRegistry.sol";

/// @title AnchorRegistry: append-only checkpoints of every issuer's RFC 9162 Merkle log
/// @notice An issuer anchors `(size, root)` of its log. Every checkpoint after the first
/// must carry an RFC 9162 consistency proof from the issuer's latest anchored checkpoint,
/// which this contract verifies with the SHA-256 precompile; so the ledger itself
/// guarantees that no issuer rewrites the history it has anchored.
/// @dev Hashes follow RFC 9162 §2.1: node = SHA-256(0x01 ‖ left ‖ right). The proof
/// check is §2.1.4.2 verbatim, with `first_hash` prepended when the old size is a power
/// of two. Storage per checkpoint: the root (one slot) and block number, timestamp and
/// previous size packed in a second; per issuer, one slot with the latest size and the
/// number of checkpoints. The two new slots (2 x 22,100 gas) and the 21,000 intrinsic gas
/// are the floor of an anchor's cost; the proof adds about 860 gas per hash (calldata
/// plus one or two precompile calls).
contract AnchorRegistry {
    /// @notice Longest consistency proof accepted (enough for logs of 2^63 leaves).
    uint256 public constant MAX_PROOF_LENGTH = 64;

    /// @notice The registry deciding who may anchor.
    IssuerRegistry public immutable registry;

    /// @dev Two slots: the root, then block number, timestamp and the size of the
    /// checkpoint it extends (so the chain of checkpoints can be walked backwards).
    struct Checkpoint {
        bytes32 root;
        uint64 blockNumber;
        uint64 timestamp;
        uint64 prevSize;
    }

    /// @dev One slot per issuer.
    struct Head {
        uint64 latestSize;
        uint64 count;
    }

    /// @notice The caller is not an active issuer of the registry.
    error NotActiveIssuer(address account);
    /// @notice `prevSize` is not the caller's latest anchored size.
    error PrevSizeMismatch(uint64 latestSize, uint64 prevSize);
    /// @notice The new size is not larger than the latest anchored size.
    error SizeNotIncreasing(uint64 latestSize, uint64 size);
    /// @notice A first checkpoint (`prevSize == 0`) must come without a proof.
    error UnexpectedConsistencyProof();
    /// @notice The proof does not show that the latest checkpoint is a prefix of the new one.
    error InvalidConsistencyProof();

    /// @notice A checkpoint was anchored; `prevSize` is the checkpoint it extends (0: none).
    event Anchored(address indexed issuer, uint64 indexed size, bytes32 root, uint64 prevSize);

    mapping(address => mapping(uint64 => Checkpoint)) private _checkpoints;
    mapping(address => Head) private _heads;

    constructor(IssuerRegistry registry_) {
        registry = registry_;
    }

    /// @notice Anchor the checkpoint `(size, root)` of the caller's log.
    /// @param size number of leaves of the log, larger than `prevSize`
    /// @param root RFC 9162 root hash of the first `size` leaves
    /// @param prevSize the caller's latest anchored size (0 for its first checkpoint)
    /// @param consistencyProof PROOF(prevSize, D[0:size]) of RFC 9162 §2.1.4.1; empty
    /// for the first checkpoint
    function anchor(uint64 size, bytes32 root, uint64 prevSize, bytes32[] calldata consistencyProof)
        external
    {
        if (!_isActiveIssuer(msg.sender)) revert NotActiveIssuer(msg.sender);
        Head memory head = _heads[msg.sender];
        uint64 latestSize = head.latestSize;
        if (prevSize != latestSize) revert PrevSizeMismatch(latestSize, prevSize);
        if (size <= latestSize) revert SizeNotIncreasing(latestSize, size);
        if (latestSize == 0) {
            if (consistencyProof.length != 0) revert UnexpectedConsistencyProof();
        } else {
            bytes32 oldRoot = _checkpoints[msg.sender][latestSize].root;
            if (!_isConsistent(latestSize, size, oldRoot, root, consistencyProof)) {
                revert InvalidConsistencyProof();
            }
        }
        _checkpoints[msg.sender][size] =
            Checkpoint(root, uint64(block.number), uint64(block.timestamp), latestSize);
        _heads[msg.sender] = Head(size, head.count + 1);
        emit Anchored(msg.sender, size, root, prevSize);
    }

    /// @notice The issuer's latest checkpoint; all zero if it has anchored none.
    function latest(address issuer)
        external
        view
        returns (uint64 size, bytes32 root, uint64 blockNumber, uint64 timestamp)
    {
        size = _heads[issuer].latestSize;
        Checkpoint storage c = _checkpoints[issuer][size];
        return (size, c.root, c.blockNumber, c.timestamp);
    }

    /// @notice The checkpoint of `issuer` at `size`; all zero if it was never anchored
    /// (an anchored checkpoint always has `blockNumber > 0`).
    function checkpoint(address issuer, uint64 size)
        external
        view
        returns (bytes32 root, uint64 blockNumber, uint64 timestamp)
    {
        Checkpoint storage c = _checkpoints[issuer][size];
        return (c.root, c.blockNumber, c.timestamp);
    }

    /// @notice Number of checkpoints `issuer` has anchored.
    function checkpointCount(address issuer) external view returns (uint64) {
        return _heads[issuer].count;
    }

    /// @notice The size of the checkpoint that `(issuer, size)` extended: 0 for the
    /// issuer's first checkpoint and for sizes never anchored. Auditors walk an issuer's
    /// checkpoints backwards from `latest` with it, without reading event logs.
    function previousSize(address issuer, uint64 size) external view returns (uint64) {
        return _checkpoints[issuer][size].prevSize;
    }

    /// @notice Pure RFC 9162 §2.1.4.2 check, exposed so that clients can test proofs
    /// against exactly the code the chain runs. Needs `0 < oldSize < newSize`.
    function verifyConsistency(
        uint64 oldSize,
        uint64 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) external view returns (bool) {
        if (oldSize == 0 || oldSize >= newSize) return false;
        return _isConsistent(oldSize, newSize, oldRoot, newRoot, proof);
    }

    /// @dev `registry.isActive(account)` without the ABI decoder's overhead; a failed or
    /// malformed answer counts as "not active".
    function _isActiveIssuer(address account) private view returns (bool active) {
        address target = address(registry);
        bytes4 selector = IssuerRegistry.isActive.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, account)
            let success := staticcall(gas(), target, 0x00, 0x24, 0x00, 0x20)
            active := and(and(success, gt(returndatasize(), 0x1f)), eq(mload(0x00), 1))
        }
    }

    /// @dev RFC 9162 §2.1.4.2 for 0 < m < n, as one assembly loop: this is most of the
    /// gas of an anchor, and the proof is read straight from calldata. The 65-byte hash
    /// input `0x01 ‖ left ‖ right` is built at the free-memory pointer (scratch use,
    /// nothing is allocated); the 0x01 byte is written once.
    function _isConsistent(uint256 m, uint256 n, bytes32 oldRoot, bytes32 newRoot, bytes32[] calldata proof)
        private
        view
        returns (bool ok)
    {
        if (proof.length == 0 || proof.length > MAX_PROOF_LENGTH) return false;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore8(buf, 0x01)
            let left := add(buf, 1)
            let right := add(buf, 33)
            let ptr := proof.offset
            let end := add(ptr, shl(5, proof.length))
            let fn := sub(m, 1)
            let sn := sub(n, 1)
            // Step 2: an old tree of 2^k leaves is itself the first node of the path.
            let fr := oldRoot
            if and(m, fn) {
                fr := calldataload(ptr)
                ptr := add(ptr, 0x20)
            }
            let sr := fr
            for {} and(fn, 1) {} {
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
            ok := 1
            for {} lt(ptr, end) { ptr := add(ptr, 0x20) } {
                if iszero(sn) {
                    ok := 0
                    break
                }
                let c := calldataload(ptr)
                switch or(and(fn, 1), eq(fn, sn))
                case 0 {
                    mstore(left, sr)
                    mstore(right, c)
                    if iszero(staticcall(gas(), 0x02, buf, 65, 0x00, 0x20)) { revert(0, 0) }
                    sr := mload(0x00)
                }
                default {
                    mstore(left, c)
                    mstore(right, fr)
                    if iszero(staticcall(gas(), 0x02, buf, 65, 0x00, 0x20)) { revert(0, 0) }
                    fr := mload(0x00)
                    mstore(right, sr)
                    if iszero(staticcall(gas(), 0x02, buf, 65, 0x00, 0x20)) { revert(0, 0) }
                    sr := mload(0x00)
                    for {} and(iszero(and(fn, 1)), gt(fn, 0)) {} {
                        fn := shr(1, fn)
                        sn := shr(1, sn)
                    }
                }
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
            ok := and(ok, and(iszero(sn), and(eq(fr, oldRoot), eq(sr, newRoot))))
        }
    }
}
