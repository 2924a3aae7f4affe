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
    mapping(uint256 id => bool) private _revoked;
    mapping(uint256 id => address) private _provisionalBeneficiary;

    /// @notice Holds I-REC certificates until the registry confirms them (R-IREC-1).
    address public provisionalAccount;

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

    /// @notice Certificate `id` was minted to the provisional account on behalf of `beneficiary`.
    event ProvisionalIssued(uint256 indexed id, address indexed beneficiary);

    /// @notice The I-REC registry issued certificate `id` with these serial numbers; tokens went to the beneficiary.
    event IrecIssued(uint256 indexed id, address indexed beneficiary, string serialStart, string serialEnd);

    /// @notice Certificate `id` was revoked: it can no longer be transferred or claimed.
    event CertificateRevoked(uint256 indexed id, string reason);

    /// @notice The provisional account changed.
    event ProvisionalAccountSet(address account);

    error CertificateAlreadyIssued(uint256 id);
    error CertificateIsRevoked(uint256 id);
    error NotProvisional(uint256 id);
    error NoProvisionalAccount();
    error CertificateNotIssued(uint256 id);
    error EmptyCertificate(bytes32 certificateKey);
    error InvalidPeriod(uint64 periodStart, uint64 periodEnd);
    error NotOwnerNorApproved(address operator, address owner);
    error ZeroClaim(uint256 id);

    constructor(address admin, string memory uri_) ERC1155(uri_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Set the account that holds provisional (I-REC pending) certificates.
    function setProvisionalAccount(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        provisionalAccount = account;
        emit ProvisionalAccountSet(account);
    }

    /// @notice Issue a batch of certificates; reverts whole if any key was issued before.
    /// @param certificates the certificates, each minted to its own `to`.
    function issueBatch(CertificateData[] calldata certificates) external onlyRole(ISSUER_ROLE) {
        for (uint256 i = 0; i < certificates.length; ++i) {
            _issue(certificates[i]);
        }
    }

    /// @notice Issue certificates to the provisional account on behalf of each certificate's `to` (I-REC).
    function issueProvisionalBatch(CertificateData[] calldata certificates) external onlyRole(ISSUER_ROLE) {
        address holder = provisionalAccount;
        if (holder == address(0)) revert NoProvisionalAccount();
        for (uint256 i = 0; i < certificates.length; ++i) {
            uint256 id = _record(certificates[i]);
            _provisionalBeneficiary[id] = certificates[i].to;
            emit ProvisionalIssued(id, certificates[i].to);
            _mint(holder, id, certificates[i].volumeWh, "");
        }
    }

    /// @notice The registry confirmed certificate `id`: record its serial numbers and move it to the beneficiary.
    function confirmIrec(uint256 id, string calldata serialStart, string calldata serialEnd)
        external
        onlyRole(ISSUER_ROLE)
    {
        address beneficiary = _provisionalBeneficiary[id];
        if (beneficiary == address(0)) revert NotProvisional(id);
        delete _provisionalBeneficiary[id];
        emit IrecIssued(id, beneficiary, serialStart, serialEnd);
        _safeTransferFrom(provisionalAccount, beneficiary, id, balanceOf(provisionalAccount, id), "");
    }

    /// @notice Revoke certificate `id`: its tokens can no longer move or be claimed.
    function revoke(uint256 id, string calldata reason) external onlyRole(ISSUER_ROLE) {
        if (!isIssued(id)) revert CertificateNotIssued(id);
        _revoked[id] = true;
        emit CertificateRevoked(id, reason);
    }

    /// @notice Whether certificate `id` was revoked.
    function isRevoked(uint256 id) external view returns (bool) {
        return _revoked[id];
    }

    /// @notice Who a provisional certificate is held for (zero when not provisional).
    function provisionalBeneficiary(uint256 id) external view returns (address) {
        return _provisionalBeneficiary[id];
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

    /// @dev Transfers and burns (claims) of revoked certificates revert; mints are checked in {_record}.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (from != address(0)) {
            for (uint256 i = 0; i < ids.length; ++i) {
                if (_revoked[ids[i]]) revert CertificateIsRevoked(ids[i]);
            }
        }
        super._update(from, to, ids, values);
    }

    function _issue(CertificateData calldata c) private {
        uint256 id = _record(c);
        _mint(c.to, id, c.volumeWh, "");
    }

    /// @dev Checks a certificate, commits its data hash and emits {CertificateIssued}; returns its token id.
    function _record(CertificateData calldata c) private returns (uint256 id) {
        id = uint256(c.certificateKey);
        if (_dataHash[id] != bytes32(0)) revert CertificateAlreadyIssued(id);
        if (c.volumeWh == 0) revert EmptyCertificate(c.certificateKey);
        if (c.periodStart >= c.periodEnd) revert InvalidPeriod(c.periodStart, c.periodEnd);
        _dataHash[id] = hashCertificate(c);
        emit CertificateIssued(
            id, c.to, c.reservationId, c.volumeWh, c.periodStart, c.periodEnd, c.contributionsRoot, c.metadataCid
        );
    }
}
