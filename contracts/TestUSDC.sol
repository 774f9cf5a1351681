// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestUSDC — the OpenGrid settlement token for development and tests
/// @notice An ERC20 with 6 decimals, like USDC, and an OPEN faucet: anyone may mint any amount.
/// @dev DEV/TEST ONLY. Never use this contract as the settlement token of a real network; point the
///      escrow and the registry at a real stablecoin there. Mints emit the standard `Transfer(0, to, amount)`.
contract TestUSDC is ERC20 {
    constructor() ERC20("OpenGrid Test USDC", "tUSDC") {}

    /// @notice Base units per token: 1 tUSDC = 1_000_000 base units.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Faucet: mints `amount` base units to `to`. Open to everyone — dev/test only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
