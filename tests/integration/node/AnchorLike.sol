// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.20;

/// Test stand-in for AnchorRegistry: one bytes32 root per key, an event, custom and
/// string reverts. Used by the node's conformance tests and benchmark.
contract AnchorLike {
    mapping(bytes32 => bytes32) public roots;

    event Anchored(bytes32 indexed key, bytes32 root, address indexed by);

    error AlreadyAnchored(bytes32 key);

    function anchor(bytes32 key, bytes32 root) external {
        if (roots[key] != bytes32(0)) revert AlreadyAnchored(key);
        roots[key] = root;
        emit Anchored(key, root, msg.sender);
    }

    function mustBePositive(uint256 x) external pure returns (uint256) {
        require(x > 0, "x must be positive");
        return x;
    }
}
