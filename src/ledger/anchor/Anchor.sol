// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Anchor: tree heads of the msec transparency log, written by the log's operator.
/// @notice A root is fixed once per tree size: re-anchoring the same root is a no-op, and a
///         different root for an anchored size reverts (that would be a split view of the log).
contract Anchor {
    address public immutable owner;
    uint64 public latestSize;
    mapping(uint64 => bytes32) private roots;

    event Anchored(uint64 indexed size, bytes32 root);

    error NotOwner();
    error ZeroRoot();
    error RootConflict(uint64 size, bytes32 existing);

    constructor() {
        owner = msg.sender;
    }

    function anchor(bytes32 root, uint64 size) external {
        if (msg.sender != owner) revert NotOwner();
        if (root == bytes32(0)) revert ZeroRoot();
        bytes32 existing = roots[size];
        if (existing == root) return;
        if (existing != bytes32(0)) revert RootConflict(size, existing);
        roots[size] = root;
        if (size > latestSize) latestSize = size;
        emit Anchored(size, root);
    }

    /// @return the anchored root for `size`, or zero when none was anchored.
    function rootAt(uint64 size) external view returns (bytes32) {
        return roots[size];
    }
}
