// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The claim part of ERC-1888 (transferable certificates)
/// @notice A claim burns a holder's tokens and records them as claimed for that holder.
interface IERC1888 {
    /// @notice `claimSubject` claimed `value` of certificate `id`; `claimIssuer` sent the claim.
    event ClaimSingle(
        address indexed claimIssuer,
        address indexed claimSubject,
        uint256 indexed topic,
        uint256 id,
        uint256 value,
        bytes claimData
    );

    /// @notice How much of certificate `id` `owner` has claimed.
    function claimedBalanceOf(address owner, uint256 id) external view returns (uint256);
}
