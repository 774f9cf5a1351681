// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MaliciousToken — TEST ONLY: an ERC20 whose transfers call back into a target contract
/// @notice Acts as its own attacker: it holds balances in the escrow/registry through `execute`, and when armed,
///         every token movement calls `hookTarget` with `hookData` before returning — a re-entrant call from
///         inside the victim's `safeTransfer`. The hook's outcome is recorded instead of bubbling up, so a test
///         can check both that the re-entry was refused and that the outer call paid exactly once.
contract MaliciousToken is ERC20 {
    address public hookTarget;
    bytes public hookData;
    bool public hookCalled;
    bool public hookSucceeded;
    bytes public hookReturnData;
    bool private _inHook;

    constructor() ERC20("Malicious", "EVIL") {}

    /// @notice Anyone may mint (test only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next token movements call `target` with `data` (once per movement).
    function arm(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
        hookCalled = false;
    }

    /// @notice Makes this contract call `target` with `data` (so it can deposit, bond, withdraw as an account).
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hookTarget != address(0) && !_inHook) {
            _inHook = true;
            (bool ok, bytes memory ret) = hookTarget.call(hookData);
            _inHook = false;
            hookCalled = true;
            hookSucceeded = ok;
            hookReturnData = ret;
        }
    }
}
