// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title References for the minting benchmark (R-NF-4)
/// @notice A bare OpenZeppelin ERC-1155 that stores nothing but balances. Never deployed by the platform;
///         `bench/mint_gas.py` compares DrecCertificates' gas per certificate with its two mints.
contract BareErc1155 is ERC1155 {
    constructor() ERC1155("") {}

    /// @notice Mint `amount` of the new id `id` to `to`: one token, one transaction.
    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }

    /// @notice Mint `amounts[i]` of each new id `ids[i]` to `to` with one `_mintBatch` (one TransferBatch event).
    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata amounts) external {
        _mintBatch(to, ids, amounts, "");
    }
}
