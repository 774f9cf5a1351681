// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title ProviderRegistry — stake to serve
/// @notice A provider bonds tokens to be matched (`isBonded`). Unbonding waits `unbondDelay` seconds, during
///         which the stake can still be slashed. A verifier (VERIFIER_ROLE) slashes proven fraud: the harmed
///         requester gets `harmedShareBps` of the slash (rounded down), the treasury the rest. Slash proceeds
///         are pulled with `withdrawCompensation`. A provider also records the hash of its attestation document.
contract ProviderRegistry is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to slash (the coordinator's verifier).
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;

    /// @notice The bond token (TestUSDC in development).
    IERC20 public immutable token;
    /// @notice Receives the part of each slash not paid to the harmed requester.
    address public immutable treasury;
    /// @notice Smallest bond, in base units, with which a provider counts as bonded.
    uint256 public immutable minBond;
    /// @notice Seconds between `requestUnbond` and the earliest `withdrawUnbonded`.
    uint64 public immutable unbondDelay;
    /// @notice Share of a slash, in basis points, owed to the harmed requester.
    uint16 public immutable harmedShareBps;

    /// @notice A provider's stake: bonded, waiting to unbond (and when it may leave), attestation hash.
    struct Stake {
        uint256 bonded;
        uint256 unbonding;
        uint64 unbondReadyAt;
        bytes32 attestation;
    }

    /// @notice Stake of each provider.
    mapping(address provider => Stake) public stakes;
    /// @notice Slash proceeds owed to each account (harmed requesters, the treasury), withdrawn by pull.
    mapping(address account => uint256) public compensationOf;

    /// @notice `provider` added `amount` to its bond, now `bonded`.
    event Bonded(address indexed provider, uint256 amount, uint256 bonded);
    /// @notice `provider` moved `amount` from its bond to unbonding; it may withdraw at `readyAt`.
    event UnbondRequested(address indexed provider, uint256 amount, uint256 unbonding, uint64 readyAt);
    /// @notice `provider` withdrew `amount` of unbonded stake.
    event UnbondWithdrawn(address indexed provider, uint256 amount);
    /// @notice A verifier slashed `amount` from `provider`, split between the harmed requester and the treasury.
    event Slashed(
        address indexed provider,
        address indexed harmedRequester,
        uint256 amount,
        uint256 toRequester,
        uint256 toTreasury,
        string reason
    );
    /// @notice `provider` recorded the hash of its attestation/inventory document.
    event AttestationSet(address indexed provider, bytes32 attestation);
    /// @notice `account` withdrew `amount` of slash proceeds.
    event CompensationWithdrawn(address indexed account, uint256 amount);

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice A required amount is zero.
    error ZeroAmount();
    /// @notice The harmed requester's share exceeds 100%.
    error InvalidShare(uint256 bps);
    /// @notice After this bond the provider would still hold less than the minimum.
    error BelowMinimumBond(uint256 bonded, uint256 minimum);
    /// @notice The provider asked to unbond more than it has bonded.
    error InsufficientBond(uint256 requested, uint256 bonded);
    /// @notice The unbonding delay has not passed yet.
    error UnbondNotReady(uint64 readyAt, uint256 nowTimestamp);
    /// @notice There is nothing to withdraw for the caller.
    error NothingToWithdraw();
    /// @notice The slash is larger than the provider's whole stake (bonded + unbonding).
    error SlashExceedsStake(uint256 amount, uint256 stake);

    /// @param admin account holding DEFAULT_ADMIN_ROLE; it grants VERIFIER_ROLE.
    /// @param token_ the bond token.
    /// @param treasury_ receives the treasury part of slashes.
    /// @param minBond_ smallest bond (base units) that counts as bonded; must be > 0.
    /// @param unbondDelay_ seconds a provider waits between requestUnbond and withdrawUnbonded.
    /// @param harmedShareBps_ share of a slash owed to the harmed requester, in basis points (≤ 10 000).
    constructor(
        address admin,
        IERC20 token_,
        address treasury_,
        uint256 minBond_,
        uint64 unbondDelay_,
        uint16 harmedShareBps_
    ) {
        if (admin == address(0) || address(token_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        if (minBond_ == 0) revert ZeroAmount();
        if (harmedShareBps_ > BPS) revert InvalidShare(harmedShareBps_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
        treasury = treasury_;
        minBond = minBond_;
        unbondDelay = unbondDelay_;
        harmedShareBps = harmedShareBps_;
    }

    /// @notice Adds `amount` to the caller's bond (needs an ERC20 allowance). The resulting bond must reach
    ///         `minBond`.
    function bond(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = stakes[msg.sender];
        uint256 bonded = s.bonded + amount;
        if (bonded < minBond) revert BelowMinimumBond(bonded, minBond);
        s.bonded = bonded;
        emit Bonded(msg.sender, amount, bonded);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Moves `amount` of the caller's bond to unbonding and (re)starts the delay for all of it.
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = stakes[msg.sender];
        if (amount > s.bonded) revert InsufficientBond(amount, s.bonded);
        s.bonded -= amount;
        s.unbonding += amount;
        uint64 readyAt = uint64(block.timestamp) + unbondDelay;
        s.unbondReadyAt = readyAt;
        emit UnbondRequested(msg.sender, amount, s.unbonding, readyAt);
    }

    /// @notice Sends the caller its whole unbonding stake once the delay has passed.
    function withdrawUnbonded() external nonReentrant {
        Stake storage s = stakes[msg.sender];
        uint256 amount = s.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.timestamp < s.unbondReadyAt) revert UnbondNotReady(s.unbondReadyAt, block.timestamp);
        s.unbonding = 0;
        emit UnbondWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Slashes `amount` from `provider` (bond first, then unbonding stake). The harmed requester is
    ///         owed `amount * harmedShareBps / BPS` (rounded down; nothing when it is the zero address, e.g. a
    ///         failed canary) and the treasury the rest. Only VERIFIER_ROLE.
    function slash(address provider, uint256 amount, address harmedRequester, string calldata reason)
        external
        onlyRole(VERIFIER_ROLE)
    {
        if (provider == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        Stake storage s = stakes[provider];
        uint256 stake = s.bonded + s.unbonding;
        if (amount > stake) revert SlashExceedsStake(amount, stake);
        uint256 fromBond = amount < s.bonded ? amount : s.bonded;
        s.bonded -= fromBond;
        s.unbonding -= amount - fromBond;

        uint256 toRequester = harmedRequester == address(0) ? 0 : amount * harmedShareBps / BPS;
        uint256 toTreasury = amount - toRequester;
        if (toRequester > 0) compensationOf[harmedRequester] += toRequester;
        compensationOf[treasury] += toTreasury;
        emit Slashed(provider, harmedRequester, amount, toRequester, toTreasury, reason);
    }

    /// @notice Sends the caller all slash proceeds it is owed.
    function withdrawCompensation() external nonReentrant {
        uint256 amount = compensationOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        compensationOf[msg.sender] = 0;
        emit CompensationWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Records the hash of the caller's attestation/inventory document (replaces the previous one).
    function setAttestation(bytes32 attestation) external {
        stakes[msg.sender].attestation = attestation;
        emit AttestationSet(msg.sender, attestation);
    }

    /// @notice True when `provider` has at least `minBond` bonded (unbonding stake does not count).
    function isBonded(address provider) external view returns (bool) {
        return stakes[provider].bonded >= minBond;
    }
}
