// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title JobEscrow — requesters' deposits, leases, payouts and refunds
/// @notice Money flow (all amounts in token base units, integers only):
///  - A requester `deposit`s; the money is *available* and can be `withdraw`n at any time.
///  - The coordinator (OPERATOR_ROLE) `openLease`s: `cap` moves from the requester's available balance to
///    *locked*. A lease pays `verifiedSeconds * ratePerHour / 3600` (rounded down), cumulative, never above cap.
///  - Every lease opens under a `JobAuthorization` the requester signed (EIP-712, domain {name "OpenGrid",
///    version "1", this chain, this contract}): no lease opens after its `deadline`, none at a rate above its
///    `maxRatePerHour`, and the leases of one job never hold more than its `maxTotal`: `committedOf(requester, job)`
///    = Σ over the job's leases of (cap − refund) = what they still lock plus what they released. A close gives the
///    refund back to that budget, so a retry can open once the lease it replaces is closed.
///  - `releaseStreaming` pays newly verified seconds (strictly increasing); `releaseMilestone` pays the verified
///    run of a completed job once and ends payment. Each release moves money from locked to the provider's
///    *earnings*, less the protocol fee, which goes to the treasury's earnings.
///  - Fee: 1% of what a lease has released so far, rounded down: `fee(x) = x * 100 / 10_000`. A release pays the
///    increase of that figure, so a lease's fees always sum to exactly `fee(total released)` however its pay is
///    split into intervals; one release's fee is `fee(amount)` or one base unit more. Rounding never favours
///    the treasury by more than that and never charges more than 1% of a lease.
///  - `closeLease` refunds `cap - released` to the requester's available balance. The requester can close a
///    lease itself once `expiresAt` (when the cap would be used up, plus `closeGrace`) has passed.
///  - Providers and the treasury pull their earnings with `withdrawEarnings`.
/// Invariant: token.balanceOf(this) = Σ availableOf + Σ lockedOf + Σ earningsOf, for every lease
/// `cap = locked part + released + refunded`, and for every job `committedOf ≤ maxTotal` of the authorization its
/// leases opened under. Every call is keyed so that a replay reverts.
/// Fee-on-transfer and rebasing tokens are not supported.
contract JobEscrow is AccessControl, ReentrancyGuard, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to open, pay and close leases (the coordinator's settlement worker).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Protocol fee in basis points: 100 = 1%.
    uint256 public constant FEE_BPS = 100;
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;

    /// @notice Lifecycle of a lease. Completed: the milestone was paid, only closing remains.
    enum LeaseStatus {
        None,
        Open,
        Completed,
        Closed
    }

    /// @notice One lease: who pays whom, at what rate, up to what cap, how much was paid so far, and the job
    ///         (authorization key) it counts against.
    struct Lease {
        address requester;
        uint64 paidSeconds;
        LeaseStatus status;
        address provider;
        uint64 expiresAt;
        uint128 ratePerHour;
        uint128 cap;
        uint128 released;
        bytes32 job;
    }

    /// @notice What a requester signs, once per job, to let the operator open leases for it: the job's key (chosen
    ///         by the requester's client; OpenGrid uses keccak256(specHash ‖ nonce)), the highest rate per hour a
    ///         lease may pay, the most the job's leases may lock and release together, and the last moment (unix
    ///         seconds) a lease may open.
    struct JobAuthorization {
        bytes32 job;
        uint128 maxRatePerHour;
        uint128 maxTotal;
        uint64 deadline;
    }

    /// @notice keccak256 of the EIP-712 type of JobAuthorization.
    bytes32 public constant JOB_AUTHORIZATION_TYPEHASH =
        keccak256("JobAuthorization(bytes32 job,uint128 maxRatePerHour,uint128 maxTotal,uint64 deadline)");

    /// @notice The settlement token.
    IERC20 public immutable token;
    /// @notice Receives the protocol fee (credited to its earnings).
    address public immutable treasury;
    /// @notice Seconds after a lease's cap would be used up before its requester may close it alone.
    uint64 public immutable closeGrace;

    /// @notice Leases by id. An id is used once: a closed lease cannot be reopened.
    mapping(bytes32 leaseId => Lease) public leases;
    /// @notice Requester funds not locked in any lease (withdrawable).
    mapping(address requester => uint256) public availableOf;
    /// @notice Requester funds locked in open or completed leases.
    mapping(address requester => uint256) public lockedOf;
    /// @notice Earnings owed to providers and fees owed to the treasury (withdrawable).
    mapping(address account => uint256) public earningsOf;
    /// @notice Per requester and job: Σ over the job's leases of (cap − refund), i.e. locked + released. Never
    ///         above the maxTotal of the authorization a lease opened under.
    mapping(address requester => mapping(bytes32 job => uint256)) public committedOf;

    /// @notice `requester` deposited `amount`.
    event Deposited(address indexed requester, uint256 amount);
    /// @notice `requester` withdrew `amount` of its available balance.
    event Withdrawn(address indexed requester, uint256 amount);
    /// @notice A lease opened under the requester's authorization for `job`, locking `cap` of its funds.
    event LeaseOpened(
        bytes32 indexed leaseId,
        address indexed requester,
        address indexed provider,
        uint128 ratePerHour,
        uint128 cap,
        uint64 expiresAt,
        bytes32 job
    );
    /// @notice `amount` was released for the lease, up to `verifiedSeconds`: `amount - fee` to the provider,
    ///         `fee` to the treasury.
    event Released(
        bytes32 indexed leaseId,
        address indexed provider,
        uint64 verifiedSeconds,
        uint256 amount,
        uint256 fee,
        bool milestone
    );
    /// @notice The lease closed: `refund` went back to the requester's available balance.
    event LeaseClosed(bytes32 indexed leaseId, address indexed requester, uint256 released, uint256 refund, address closedBy);
    /// @notice `account` withdrew `amount` of earnings.
    event EarningsWithdrawn(address indexed account, uint256 amount);

    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice A required amount (or the lease id) is zero.
    error ZeroAmount();
    /// @notice The requester's available balance does not cover the request.
    error InsufficientBalance(uint256 available, uint256 requested);
    /// @notice This lease id was used before (leases are opened once).
    error LeaseAlreadyExists(bytes32 leaseId);
    /// @notice The lease is not in a state that allows this call.
    error LeaseNotOpen(bytes32 leaseId, LeaseStatus status);
    /// @notice Verified seconds must grow with every release; these were already paid.
    error SecondsNotIncreasing(bytes32 leaseId, uint64 paidSeconds, uint64 verifiedSeconds);
    /// @notice The verified usage would pay more than the lease's cap.
    error CapExceeded(bytes32 leaseId, uint256 due, uint256 cap);
    /// @notice Only the operator may close this lease before `expiresAt`.
    error LeaseNotExpired(bytes32 leaseId, uint64 expiresAt);
    /// @notice There is nothing to withdraw for the caller.
    error NothingToWithdraw();
    /// @notice The authorization was not signed by `requester` (`signer` is who did; zero for a malformed signature):
    ///         a wrong key, other fields than were signed, or no authorization from this requester at all.
    error InvalidAuthorization(address requester, address signer);
    /// @notice The authorization's deadline has passed: no lease of this job may open any more.
    error AuthorizationExpired(bytes32 job, uint64 deadline);
    /// @notice The lease's rate is above the most per hour the requester authorized for the job.
    error RateAboveAuthorized(bytes32 job, uint128 ratePerHour, uint128 maxRatePerHour);
    /// @notice The job's leases would hold more than the requester authorized: `committed` already, plus `cap`.
    error AuthorizationExceeded(bytes32 job, uint256 committed, uint256 cap, uint256 maxTotal);

    /// @param admin account holding DEFAULT_ADMIN_ROLE; it grants OPERATOR_ROLE.
    /// @param token_ the settlement token.
    /// @param treasury_ receives the 1% fee.
    /// @param closeGrace_ seconds after a lease's natural end before its requester may close it.
    constructor(address admin, IERC20 token_, address treasury_, uint64 closeGrace_) EIP712("OpenGrid", "1") {
        if (admin == address(0) || address(token_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
        treasury = treasury_;
        closeGrace = closeGrace_;
    }

    /// @notice Deposits `amount` from the caller (needs an ERC20 allowance) into its available balance.
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        availableOf[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Withdraws `amount` of the caller's available (unlocked) balance.
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 available = availableOf[msg.sender];
        if (amount > available) revert InsufficientBalance(available, amount);
        availableOf[msg.sender] = available - amount;
        emit Withdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Opens lease `leaseId` and locks `cap` of `requester`'s available balance, under the job authorization
    ///         `requester` signed (`signature`: 65 bytes r ‖ s ‖ v over `authorizationDigest(authorization)`). Only
    ///         OPERATOR_ROLE; an id can be opened once; the job's leases together never hold more than `maxTotal`.
    function openLease(
        bytes32 leaseId,
        address requester,
        address provider,
        uint128 ratePerHour,
        uint128 cap,
        JobAuthorization calldata authorization,
        bytes calldata signature
    ) external onlyRole(OPERATOR_ROLE) {
        if (leaseId == bytes32(0) || ratePerHour == 0 || cap == 0) revert ZeroAmount();
        if (requester == address(0) || provider == address(0)) revert ZeroAddress();
        Lease storage lease = leases[leaseId];
        if (lease.status != LeaseStatus.None) revert LeaseAlreadyExists(leaseId);
        bytes32 job = _commit(requester, ratePerHour, cap, authorization, signature);
        uint256 available = availableOf[requester];
        if (cap > available) revert InsufficientBalance(available, cap);

        availableOf[requester] = available - cap;
        lockedOf[requester] += cap;
        uint256 end = block.timestamp + Math.ceilDiv(uint256(cap) * 3600, ratePerHour) + closeGrace;
        uint64 expiresAt = uint64(Math.min(end, type(uint64).max));
        lease.requester = requester;
        lease.status = LeaseStatus.Open;
        lease.provider = provider;
        lease.expiresAt = expiresAt;
        lease.ratePerHour = ratePerHour;
        lease.cap = cap;
        lease.job = job;
        emit LeaseOpened(leaseId, requester, provider, ratePerHour, cap, expiresAt, job);
    }

    /// @notice The EIP-712 digest a requester signs for `authorization`:
    ///         keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(authorization)).
    function authorizationDigest(JobAuthorization calldata authorization) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    JOB_AUTHORIZATION_TYPEHASH,
                    authorization.job,
                    authorization.maxRatePerHour,
                    authorization.maxTotal,
                    authorization.deadline
                )
            )
        );
    }

    /// @notice Pays the lease's provider for usage verified up to `verifiedSeconds` (cumulative since the lease
    ///         opened; must exceed the seconds already paid). Only OPERATOR_ROLE.
    function releaseStreaming(bytes32 leaseId, uint64 verifiedSeconds) external onlyRole(OPERATOR_ROLE) {
        _release(leaseId, verifiedSeconds, false);
    }

    /// @notice Pays a completed job's verified run (`verifiedSeconds` in total) at once and ends payment for
    ///         the lease; only `closeLease` remains. Only OPERATOR_ROLE; once per lease.
    function releaseMilestone(bytes32 leaseId, uint64 verifiedSeconds) external onlyRole(OPERATOR_ROLE) {
        _release(leaseId, verifiedSeconds, true);
    }

    /// @notice Closes the lease and refunds `cap - released` to the requester's available balance. The operator
    ///         may close at any time; the requester once `expiresAt` has passed.
    function closeLease(bytes32 leaseId) external {
        Lease storage lease = leases[leaseId];
        LeaseStatus status = lease.status;
        if (status != LeaseStatus.Open && status != LeaseStatus.Completed) revert LeaseNotOpen(leaseId, status);
        if (!hasRole(OPERATOR_ROLE, msg.sender)) {
            if (msg.sender != lease.requester) revert AccessControlUnauthorizedAccount(msg.sender, OPERATOR_ROLE);
            if (block.timestamp < lease.expiresAt) revert LeaseNotExpired(leaseId, lease.expiresAt);
        }
        uint256 refund = lease.cap - lease.released;
        address requester = lease.requester;
        lease.status = LeaseStatus.Closed;
        committedOf[requester][lease.job] -= refund;
        lockedOf[requester] -= refund;
        availableOf[requester] += refund;
        emit LeaseClosed(leaseId, requester, lease.released, refund, msg.sender);
    }

    /// @notice Sends the caller all its earnings (providers; the treasury for fees).
    function withdrawEarnings() external nonReentrant {
        uint256 amount = earningsOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        earningsOf[msg.sender] = 0;
        emit EarningsWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice What a lease pays for `verifiedSeconds` of use: `verifiedSeconds * ratePerHour / 3600`, rounded down.
    function payFor(uint128 ratePerHour, uint64 verifiedSeconds) public pure returns (uint256) {
        return uint256(verifiedSeconds) * ratePerHour / 3600;
    }

    /// @notice The protocol fee on a cumulative released amount: 1% rounded down.
    function feeOn(uint256 released) public pure returns (uint256) {
        return released * FEE_BPS / BPS;
    }

    /// @dev Checks that `requester` signed `authorization` and that it allows a lease of `cap` at `ratePerHour` now,
    ///      then counts `cap` against the job. Returns the job's key.
    function _commit(
        address requester,
        uint128 ratePerHour,
        uint128 cap,
        JobAuthorization calldata authorization,
        bytes calldata signature
    ) private returns (bytes32 job) {
        (address signer, ECDSA.RecoverError recoverError,) =
            ECDSA.tryRecoverCalldata(authorizationDigest(authorization), signature);
        if (recoverError != ECDSA.RecoverError.NoError || signer != requester) revert InvalidAuthorization(requester, signer);
        job = authorization.job;
        if (block.timestamp > authorization.deadline) revert AuthorizationExpired(job, authorization.deadline);
        if (ratePerHour > authorization.maxRatePerHour) {
            revert RateAboveAuthorized(job, ratePerHour, authorization.maxRatePerHour);
        }
        uint256 committed = committedOf[requester][job];
        if (committed + cap > authorization.maxTotal) {
            revert AuthorizationExceeded(job, committed, cap, authorization.maxTotal);
        }
        committedOf[requester][job] = committed + cap;
    }

    function _release(bytes32 leaseId, uint64 verifiedSeconds, bool milestone) private {
        Lease storage lease = leases[leaseId];
        if (lease.status != LeaseStatus.Open) revert LeaseNotOpen(leaseId, lease.status);
        if (verifiedSeconds <= lease.paidSeconds) {
            revert SecondsNotIncreasing(leaseId, lease.paidSeconds, verifiedSeconds);
        }
        uint256 due = payFor(lease.ratePerHour, verifiedSeconds);
        if (due > lease.cap) revert CapExceeded(leaseId, due, lease.cap);

        uint256 before = lease.released;
        uint256 amount = due - before;
        uint256 fee = feeOn(due) - feeOn(before);
        address provider = lease.provider;
        lease.paidSeconds = verifiedSeconds;
        lease.released = uint128(due);
        if (milestone) lease.status = LeaseStatus.Completed;
        lockedOf[lease.requester] -= amount;
        earningsOf[provider] += amount - fee;
        if (fee > 0) earningsOf[treasury] += fee;
        emit Released(leaseId, provider, verifiedSeconds, amount, fee, milestone);
    }
}
