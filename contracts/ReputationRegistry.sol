// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title ReputationRegistry — provider scores written by authorized validators
/// @notice One score per provider, readable by anyone. Scores are not tokens: they cannot be transferred,
///         sold or delegated; only an account holding VALIDATOR_ROLE can write them. The scale is the
///         coordinator's (OpenGrid uses 0–10 000); `evidence` is the hash of the document that justifies it.
contract ReputationRegistry is AccessControl {
    /// @notice Role allowed to write scores (the coordinator's verifier).
    bytes32 public constant VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");

    /// @notice A provider's current score, when it was written and the hash of its evidence.
    struct Score {
        uint32 value;
        uint64 updatedAt;
        bytes32 evidence;
    }

    /// @notice Current score of each provider (all zero until first written).
    mapping(address provider => Score) public scores;

    /// @notice A validator wrote `score` for `provider`.
    event ScoreSet(address indexed provider, uint32 score, bytes32 evidence, address indexed validator);

    /// @notice The provider address is zero.
    error ZeroAddress();
    /// @notice The batch arrays do not have the same length.
    error LengthMismatch(uint256 providers, uint256 scores, uint256 evidence);

    /// @param admin account holding DEFAULT_ADMIN_ROLE; it grants VALIDATOR_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Writes one provider's score.
    function setScore(address provider, uint32 score, bytes32 evidence) external onlyRole(VALIDATOR_ROLE) {
        _setScore(provider, score, evidence);
    }

    /// @notice Writes several scores in one transaction; all arrays must have the same length.
    function setScores(address[] calldata providers, uint32[] calldata values, bytes32[] calldata evidence)
        external
        onlyRole(VALIDATOR_ROLE)
    {
        if (providers.length != values.length || providers.length != evidence.length) {
            revert LengthMismatch(providers.length, values.length, evidence.length);
        }
        for (uint256 i = 0; i < providers.length; ++i) {
            _setScore(providers[i], values[i], evidence[i]);
        }
    }

    /// @notice The provider's current score (0 when never written).
    function scoreOf(address provider) external view returns (uint32) {
        return scores[provider].value;
    }

    function _setScore(address provider, uint32 score, bytes32 evidence) private {
        if (provider == address(0)) revert ZeroAddress();
        scores[provider] = Score(score, uint64(block.timestamp), evidence);
        emit ScoreSet(provider, score, evidence, msg.sender);
    }
}
