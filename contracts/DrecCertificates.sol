// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1888} from "./interfaces/IERC1888.sol";

/// @title D-REC certificates
/// @notice ERC-1155 tokens following ERC-1888: one token id per certificate, one unit per Wh.
/// @dev The token id is the certificate key the platform derives from (reservation, window, country), so a
///      second mint of the same certificate reverts and a resubmitted batch is harmless. The certificate's data
///      is committed on chain as a hash and published in full in {CertificateIssued}.
contract DrecCertificates is ERC1155, AccessControl, IERC1888 {
    /// @notice Role allowed to issue certificates.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    /// @notice What the platform certifies about one certificate.
    struct CertificateData {
        bytes32 certificateKey;
        address to;
        uint256 volumeWh;
        uint64 periodStart;
        uint64 periodEnd;
        bytes16 reservationId;
        bytes32 contributionsRoot;
        string metadataCid;
    }

    mapping(uint256 id => bytes32) private _dataHash;
    mapping(uint256 id => mapping(address owner => uint256)) private _claimed;

    /// @notice A certificate was issued; carries every field of its committed data.
    event CertificateIssued(
        uint256 indexed id,
        address indexed to,
        bytes16 indexed reservationId,
        uint256 volumeWh,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 contributionsRoot,
        string metadataCid
    );

    error CertificateAlreadyIssued(uint256 id);
    error CertificateNotIssued(uint256 id);
    error EmptyCertificate(bytes32 certificateKey);
    error InvalidPeriod(uint64 periodStart, uint64 periodEnd);
    error NotOwnerNorApproved(address operator, address owner);
    error ZeroClaim(uint256 id);

    constructor(address admin, string memory uri_) ERC1155(uri_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Issue a batch of certificates; reverts whole if any key was issued before.
    /// @param certificates the certificates, each minted to its own `to`.
    function issueBatch(CertificateData[] calldata certificates) external onlyRole(ISSUER_ROLE) {
        for (uint256 i = 0; i < certificates.length; ++i) {
            _issue(certificates[i]);
        }
    }

    /// @notice Burn `value` Wh of certificate `id` held by `from` and record the claim (retirement).
    /// @param claimData the claim's beneficiary, location, period and purpose, as the platform encodes them.
    function claim(address from, uint256 id, uint256 value, bytes calldata claimData) external {
        if (from != _msgSender() && !isApprovedForAll(from, _msgSender())) {
            revert NotOwnerNorApproved(_msgSender(), from);
        }
        if (value == 0) revert ZeroClaim(id);
        _burn(from, id, value);
        _claimed[id][from] += value;
        emit ClaimSingle(_msgSender(), from, 0, id, value, claimData);
    }

    /// @inheritdoc IERC1888
    function claimedBalanceOf(address owner, uint256 id) external view returns (uint256) {
        return _claimed[id][owner];
    }

    /// @notice Hash of the certificate's committed data (zero when not issued).
    function certificateDataHash(uint256 id) external view returns (bytes32) {
        return _dataHash[id];
    }

    /// @notice Whether certificate `id` has been issued.
    function isIssued(uint256 id) public view returns (bool) {
        return _dataHash[id] != bytes32(0);
    }

    /// @notice The hash under which a certificate's data is committed.
    function hashCertificate(CertificateData calldata c) public pure returns (bytes32) {
        return keccak256(abi.encode(c));
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return interfaceId == type(IERC1888).interfaceId || super.supportsInterface(interfaceId);
    }

    function _issue(CertificateData calldata c) private {
        uint256 id = uint256(c.certificateKey);
        if (_dataHash[id] != bytes32(0)) revert CertificateAlreadyIssued(id);
        if (c.volumeWh == 0) revert EmptyCertificate(c.certificateKey);
        if (c.periodStart >= c.periodEnd) revert InvalidPeriod(c.periodStart, c.periodEnd);
        _dataHash[id] = hashCertificate(c);
        emit CertificateIssued(
            id, c.to, c.reservationId, c.volumeWh, c.periodStart, c.periodEnd, c.contributionsRoot, c.metadataCid
        );
        _mint(c.to, id, c.volumeWh, "");
    }
}
