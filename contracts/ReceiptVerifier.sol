// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ReceiptVerifier — checks receipts that OpenGrid providers sign when an attempt ends
/// @notice A receipt is EIP-712 typed data in the domain {name "OpenGrid", version "1", this chain, this contract}.
///         The contract holds no state: it recomputes the hashes and recovers the signer, so escrow disputes and any
///         client can check a receipt the same way the coordinator and `og verify` do (docs/receipts.md).
contract ReceiptVerifier is EIP712 {
    /// @notice What a provider signs. Hashes are defined in docs/receipts.md; usage is in ms and bytes.
    struct Receipt {
        string jobId;
        uint32 attempt;
        uint64 epoch;
        bytes32 specHash;
        bytes32 runtimeDigest;
        bytes32 inputsHash;
        bytes32 outputsHash;
        uint64 wallMs;
        uint64 cpuMs;
        uint64 gpuMs;
        uint64 peakMemoryBytes;
        int32 exitCode;
        uint64 timestamp;
        address provider;
        bytes32 prevReceiptHash;
    }

    /// @notice keccak256 of the EIP-712 type of Receipt.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(string jobId,uint32 attempt,uint64 epoch,bytes32 specHash,bytes32 runtimeDigest,bytes32 inputsHash,"
        "bytes32 outputsHash,uint64 wallMs,uint64 cpuMs,uint64 gpuMs,uint64 peakMemoryBytes,int32 exitCode,"
        "uint64 timestamp,address provider,bytes32 prevReceiptHash)"
    );

    constructor() EIP712("OpenGrid", "1") {}

    /// @notice EIP-712 hashStruct of the receipt: the value the provider's next receipt carries as prevReceiptHash.
    function receiptHash(Receipt calldata r) public pure returns (bytes32) {
        // Two halves: one abi.encode of all sixteen words would not fit the stack. Every member is one word, so
        // the concatenation is exactly abi.encode of the whole.
        return keccak256(
            bytes.concat(
                abi.encode(
                    RECEIPT_TYPEHASH, keccak256(bytes(r.jobId)), r.attempt, r.epoch, r.specHash, r.runtimeDigest,
                    r.inputsHash, r.outputsHash
                ),
                abi.encode(
                    r.wallMs, r.cpuMs, r.gpuMs, r.peakMemoryBytes, r.exitCode, r.timestamp, r.provider, r.prevReceiptHash
                )
            )
        );
    }

    /// @notice The digest the provider signs: keccak256(0x1901 ‖ domainSeparator ‖ receiptHash).
    function digest(Receipt calldata r) public view returns (bytes32) {
        return _hashTypedDataV4(receiptHash(r));
    }

    /// @notice The address that signed the receipt; reverts on a malformed signature (OpenZeppelin ECDSA errors).
    function recoverSigner(Receipt calldata r, bytes calldata signature) external view returns (address) {
        return ECDSA.recover(digest(r), signature);
    }

    /// @notice True when `signature` is the receipt's provider's over exactly this receipt.
    function verify(Receipt calldata r, bytes calldata signature) external view returns (bool) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest(r), signature);
        return err == ECDSA.RecoverError.NoError && signer == r.provider;
    }
}
