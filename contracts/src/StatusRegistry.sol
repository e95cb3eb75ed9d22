// SPDX-License-Identifier: EUPL-1.2
pragma solidity 0.8.30;

import {IssuerRegistry} from "./IssuerRegistry.sol";

/// @title StatusRegistry: the current and past status of notarised documents
/// @notice Keyed by `(issuer, leafHash)`: only the issuer that notarised a leaf can
/// change its status, because the caller's own address is the first half of the key.
/// Transitions (anything else reverts with a named error):
///   Valid      --suspend-->   Suspended   --reinstate--> Valid
///   Valid|Suspended --supersede(new)--> Superseded
///   Valid|Suspended|Superseded --revoke--> Revoked (final)
/// A successor `new` is another leaf of the caller that is neither superseded nor revoked:
/// every leaf of a supersession cycle is superseded when the edge closing it is added, so
/// this one check (one storage read) keeps supersession chains free of cycles.
/// A status is the issuer's statement about a leaf hash; the contract does not check that
/// the leaf is in the issuer's log (verifiers check inclusion against AnchorRegistry).
/// @dev The current status (the newest history entry) lives in one slot next to the
/// history length; when it is replaced it moves into the history mapping. A first
/// status change therefore costs one new slot, not two.
contract StatusRegistry {
    /// @notice Status of a leaf; `Valid` also stands for "never changed".
    enum State {
        Valid,
        Suspended,
        Revoked,
        Superseded
    }

    /// @dev One slot: 8 + 32 + 64 + 64 + 32 bits.
    struct Entry {
        State state;
        uint32 reason;
        uint64 timestamp;
        uint64 blockNumber;
        uint32 count;
    }

    struct Record {
        Entry head;
        bytes32 supersededBy;
        mapping(uint256 => Entry) past;
        mapping(uint256 => bytes32) pastSupersededBy;
    }

    /// @notice The registry deciding who may change statuses.
    IssuerRegistry public immutable registry;

    /// @notice The caller is not an active issuer of the registry.
    error NotActiveIssuer(address account);
    /// @notice The leaf hash must not be zero.
    error ZeroLeafHash();
    /// @notice The leaf is revoked; revocation is final.
    error AlreadyRevoked(bytes32 leafHash);
    /// @notice The leaf is suspended already.
    error AlreadySuspended(bytes32 leafHash);
    /// @notice The leaf is superseded; it can only be revoked.
    error AlreadySuperseded(bytes32 leafHash, bytes32 supersededBy);
    /// @notice Only a suspended leaf can be reinstated.
    error NotSuspended(bytes32 leafHash, State state);
    /// @notice The superseding leaf must be non-zero and differ from the leaf itself.
    error InvalidSupersedingLeaf(bytes32 newLeafHash);
    /// @notice The superseding leaf is superseded or revoked itself (this refuses every cycle).
    error SuccessorNotCurrent(bytes32 newLeafHash, State state);
    /// @notice No history entry at this index.
    error HistoryIndexOutOfRange(uint256 index, uint256 count);

    /// @notice The status of `leafHash` of `issuer` changed to `state`.
    event StatusChanged(
        address indexed issuer, bytes32 indexed leafHash, uint8 state, bytes32 supersededBy, uint32 reason
    );

    mapping(address => mapping(bytes32 => Record)) private _records;

    constructor(IssuerRegistry registry_) {
        registry = registry_;
    }

    /// @notice Suspend a valid leaf of the caller (e.g. pending an investigation).
    /// @param reason the issuer's reason code, recorded with the change
    function suspend(bytes32 leafHash, uint32 reason) external {
        Record storage r = _record(leafHash);
        State state = r.head.state;
        if (state == State.Suspended) revert AlreadySuspended(leafHash);
        _requireChangeable(r, leafHash, state);
        _change(r, leafHash, State.Suspended, bytes32(0), reason);
    }

    /// @notice Make a suspended leaf of the caller valid again.
    function reinstate(bytes32 leafHash, uint32 reason) external {
        Record storage r = _record(leafHash);
        State state = r.head.state;
        if (state == State.Revoked) revert AlreadyRevoked(leafHash);
        if (state != State.Suspended) revert NotSuspended(leafHash, state);
        _change(r, leafHash, State.Valid, bytes32(0), reason);
    }

    /// @notice Revoke a leaf of the caller for good.
    function revoke(bytes32 leafHash, uint32 reason) external {
        Record storage r = _record(leafHash);
        if (r.head.state == State.Revoked) revert AlreadyRevoked(leafHash);
        _change(r, leafHash, State.Revoked, bytes32(0), reason);
    }

    /// @notice Mark a valid or suspended leaf of the caller as replaced by `newLeafHash`,
    /// a valid or suspended leaf of the caller.
    function supersede(bytes32 leafHash, bytes32 newLeafHash, uint32 reason) external {
        Record storage r = _record(leafHash);
        if (newLeafHash == bytes32(0) || newLeafHash == leafHash) {
            revert InvalidSupersedingLeaf(newLeafHash);
        }
        State successor = _records[msg.sender][newLeafHash].head.state;
        if (successor == State.Superseded || successor == State.Revoked) {
            revert SuccessorNotCurrent(newLeafHash, successor);
        }
        _requireChangeable(r, leafHash, r.head.state);
        _change(r, leafHash, State.Superseded, newLeafHash, reason);
    }

    /// @notice The current status of a leaf; `(Valid, 0, 0, 0)` if it never changed.
    /// @return state the current state
    /// @return since block timestamp of the change that set it
    /// @return supersededBy the newer leaf if `state == Superseded`, else zero
    /// @return reason the reason code of that change
    function status(address issuer, bytes32 leafHash)
        external
        view
        returns (State state, uint64 since, bytes32 supersededBy, uint32 reason)
    {
        Record storage r = _records[issuer][leafHash];
        return (r.head.state, r.head.timestamp, r.supersededBy, r.head.reason);
    }

    /// @notice Number of status changes of a leaf.
    function historyCount(address issuer, bytes32 leafHash) external view returns (uint256) {
        return _records[issuer][leafHash].head.count;
    }

    /// @notice The `index`-th status change of a leaf, oldest first.
    function historyEntry(address issuer, bytes32 leafHash, uint256 index)
        external
        view
        returns (State state, uint64 timestamp, uint64 blockNumber, bytes32 supersededBy, uint32 reason)
    {
        Record storage r = _records[issuer][leafHash];
        uint256 count = r.head.count;
        if (index >= count) revert HistoryIndexOutOfRange(index, count);
        if (index == count - 1) {
            Entry storage head = r.head;
            return (head.state, head.timestamp, head.blockNumber, r.supersededBy, head.reason);
        }
        Entry storage e = r.past[index];
        return (e.state, e.timestamp, e.blockNumber, r.pastSupersededBy[index], e.reason);
    }

    /// @dev The caller's record of `leafHash`, after checking the caller may write it.
    function _record(bytes32 leafHash) private view returns (Record storage) {
        if (!registry.isActive(msg.sender)) revert NotActiveIssuer(msg.sender);
        if (leafHash == bytes32(0)) revert ZeroLeafHash();
        return _records[msg.sender][leafHash];
    }

    function _requireChangeable(Record storage r, bytes32 leafHash, State state) private view {
        if (state == State.Revoked) revert AlreadyRevoked(leafHash);
        if (state == State.Superseded) revert AlreadySuperseded(leafHash, r.supersededBy);
    }

    function _change(Record storage r, bytes32 leafHash, State state, bytes32 supersededBy, uint32 reason)
        private
    {
        Entry memory head = r.head;
        uint32 count = head.count;
        if (count != 0) {
            uint256 index = count - 1;
            r.past[index] = head;
            if (r.supersededBy != bytes32(0)) r.pastSupersededBy[index] = r.supersededBy;
        }
        r.head = Entry(state, reason, uint64(block.timestamp), uint64(block.number), count + 1);
        if (r.supersededBy != supersededBy) r.supersededBy = supersededBy;
        emit StatusChanged(msg.sender, leafHash, uint8(state), supersededBy, reason);
    }
}
