// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title Reference for the minting benchmark (R-NF-4)
/// @notice A bare OpenZeppelin ERC-1155: mints new ids one by one, storing nothing else. Never deployed by the
///         platform; `bench/mint_gas.py` compares DrecCertificates' gas per certificate with it.
contract BareErc1155 is ERC1155 {
    constructor() ERC1155("") {}

    /// @notice Mint `amounts[i]` of each new id `ids[i]` to `to`, one `_mint` each (as issueBatch does).
    function mintEach(address to, uint256[] calldata ids, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < ids.length; ++i) {
            _mint(to, ids[i], amounts[i], "");
        }
    }
}
