// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1888} from "./interfaces/IERC1888.sol";

/// @title D-REC certificates
/// @notice ERC-1155 tokens following ERC-1888: one token id per certificate, one unit per Wh.
/// @dev The token id is the certificate key the platform derives from (reservation, window, country), so a
///      second mint of the same certificate reverts and a resubmitted batch is harmless. Each batch's data is
///      committed on chain as one hash ({isCommitted}) and published field by field in {CertificateIssued}.
///      Gas (R-NF-4, docs/adr/0056): issuing writes a single fresh storage slot per certificate, its {Issuance},
///      which is at once the uniqueness marker, the revocation flag and the balance of the account issued to.
///      Balances therefore live here (`_received` plus the issuance), not in OpenZeppelin's `_balances`; the rest
///      (approvals, transfer checks, receiver hooks, events) is OpenZeppelin's ERC-1155.
contract DrecCertificates is ERC1155, AccessControl, IERC1888 {
    /// @notice Role allowed to issue certificates.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    /// @notice What the platform certifies about one certificate. The metadata document's binary CIDv1 is
    ///         `metadataCidPrefix ‖ metadataCidDigest`: version 1, codec, sha2-256, length 32, then the digest.
    struct CertificateData {
        bytes32 certificateKey;
        address to;
        uint256 volumeWh;
        uint64 periodStart;
        uint64 periodEnd;
        bytes16 reservationId;
        bytes32 contributionsRoot;
        bytes4 metadataCidPrefix;
        bytes32 metadataCidDigest;
    }

    /// @dev A certificate's one storage slot; `issuedTo` is never zero once issued.
    struct Issuance {
        address issuedTo; // who the tokens were minted to (the provisional account for I-REC certificates)
        uint88 unmovedWh; // Wh of the issued volume still with `issuedTo`: neither transferred nor claimed
        bool isRevoked;
    }

    /// @dev ABI size of one CertificateData (nine words), and of the head of a CertificateData[] argument.
    uint256 private constant CERTIFICATE_DATA_SIZE = 9 * 32;
    uint256 private constant ARRAY_HEAD_SIZE = 2 * 32;

    mapping(uint256 id => Issuance) private _issuances;
    mapping(uint256 id => mapping(address holder => uint256)) private _received;
    mapping(bytes32 commitment => bool) private _commitments;
    mapping(uint256 id => mapping(address owner => uint256)) private _claimed;
    mapping(uint256 id => address) private _provisionalBeneficiary;
    mapping(uint256 id => bool) private _partlyReleased; // some of a provisional certificate went out as D-REC

    /// @notice Holds I-REC certificates until the registry confirms them (R-IREC-1).
    address public provisionalAccount;

    /// @notice A certificate was issued; carries every field of its data.
    event CertificateIssued(
        uint256 indexed id,
        address indexed to,
        bytes16 indexed reservationId,
        uint256 volumeWh,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 contributionsRoot,
        bytes4 metadataCidPrefix,
        bytes32 metadataCidDigest
    );

    /// @notice The `count` certificates issued just before in this transaction form a batch committed on chain as
    ///         `commitment` = keccak256(abi.encode(certificates)), in issue order.
    event BatchCommitted(bytes32 indexed commitment, uint256 count);

    /// @notice Certificate `id` was minted to the provisional account on behalf of `beneficiary`.
    event ProvisionalIssued(uint256 indexed id, address indexed beneficiary);

    /// @notice The I-REC registry issued certificate `id` with these serial numbers; tokens went to the beneficiary.
    ///         The metadata document naming the serials is `metadataCidPrefix ‖ metadataCidDigest` (binary CIDv1).
    event IrecIssued(
        uint256 indexed id,
        address indexed beneficiary,
        string serialStart,
        string serialEnd,
        bytes4 metadataCidPrefix,
        bytes32 metadataCidDigest
    );

    /// @notice `volumeWh` of provisional certificate `id` went to the beneficiary as plain D-REC, never to be I-REC;
    ///         `provisionalWh` is what stays provisional (zero: the certificate is no longer provisional).
    event ProvisionalReleased(uint256 indexed id, address indexed beneficiary, uint256 volumeWh, uint256 provisionalWh);

    /// @notice Certificate `id` was revoked: it can no longer be transferred or claimed.
    event CertificateRevoked(uint256 indexed id, string reason);

    /// @notice The provisional account changed.
    event ProvisionalAccountSet(address account);

    error EmptyBatch();
    error NonCanonicalEncoding();
    error CertificateAlreadyIssued(uint256 id);
    error CertificateIsRevoked(uint256 id);
    error NotProvisional(uint256 id);
    error AlreadyReleased(uint256 id);
    error ZeroRelease(uint256 id);
    error NoProvisionalAccount();
    error CertificateNotIssued(uint256 id);
    error EmptyCertificate(bytes32 certificateKey);
    error VolumeTooLarge(bytes32 certificateKey, uint256 volumeWh);
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

    /// @notice Issue a batch of certificates, each to its own `to`; reverts whole if any key was issued before.
    function issueBatch(CertificateData[] calldata certificates) external onlyRole(ISSUER_ROLE) {
        _issueBatch(certificates, address(0));
    }

    /// @notice Issue certificates to the provisional account on behalf of each certificate's `to` (I-REC).
    function issueProvisionalBatch(CertificateData[] calldata certificates) external onlyRole(ISSUER_ROLE) {
        address holder = provisionalAccount;
        if (holder == address(0)) revert NoProvisionalAccount();
        _issueBatch(certificates, holder);
    }

    /// @notice The registry confirmed certificate `id`: record its serial numbers and the CID of the metadata
    ///         document that names them, and move what the provisional account holds of it to the beneficiary.
    function confirmIrec(
        uint256 id,
        string calldata serialStart,
        string calldata serialEnd,
        bytes4 metadataCidPrefix,
        bytes32 metadataCidDigest
    ) external onlyRole(ISSUER_ROLE) {
        address beneficiary = _provisionalBeneficiary[id];
        if (beneficiary == address(0)) revert NotProvisional(id);
        delete _provisionalBeneficiary[id];
        emit IrecIssued(id, beneficiary, serialStart, serialEnd, metadataCidPrefix, metadataCidDigest);
        _safeTransferFrom(provisionalAccount, beneficiary, id, balanceOf(provisionalAccount, id), "");
    }

    /// @notice Release `volumeWh` of provisional certificate `id` to its beneficiary as plain D-REC (an admin's
    ///         decision after a registry rejection, or for a remainder never requested). Once per certificate:
    ///         releasing all it holds ends its provisional state; releasing part of it leaves the rest for
    ///         {confirmIrec} and refuses a second release.
    function releaseProvisional(uint256 id, uint256 volumeWh) external onlyRole(ISSUER_ROLE) {
        address beneficiary = _provisionalBeneficiary[id];
        if (beneficiary == address(0)) revert NotProvisional(id);
        if (_partlyReleased[id]) revert AlreadyReleased(id);
        if (volumeWh == 0) revert ZeroRelease(id);
        uint256 held = balanceOf(provisionalAccount, id);
        if (volumeWh > held) revert ERC1155InsufficientBalance(provisionalAccount, held, volumeWh, id);
        if (volumeWh == held) {
            delete _provisionalBeneficiary[id];
        } else {
            _partlyReleased[id] = true;
        }
        emit ProvisionalReleased(id, beneficiary, volumeWh, held - volumeWh);
        _safeTransferFrom(provisionalAccount, beneficiary, id, volumeWh, "");
    }

    /// @notice Whether part of provisional certificate `id` was released as D-REC (a release of all of it ends
    ///         its provisional state instead: {provisionalBeneficiary} is then zero).
    function isPartlyReleased(uint256 id) external view returns (bool) {
        return _partlyReleased[id];
    }

    /// @notice Revoke certificate `id`: its tokens can no longer move or be claimed.
    function revoke(uint256 id, string calldata reason) external onlyRole(ISSUER_ROLE) {
        if (!isIssued(id)) revert CertificateNotIssued(id);
        _issuances[id].isRevoked = true;
        emit CertificateRevoked(id, reason);
    }

    /// @notice Whether certificate `id` was revoked.
    function isRevoked(uint256 id) external view returns (bool) {
        return _issuances[id].isRevoked;
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

    /// @notice Whether `certificates` is exactly a batch that was issued, every field and the order included.
    /// @dev To verify one certificate, rebuild its batch from the {CertificateIssued} events that precede its
    ///      {BatchCommitted} in the issuing transaction and pass it here.
    function isCommitted(CertificateData[] calldata certificates) external view returns (bool) {
        return _commitments[keccak256(abi.encode(certificates))];
    }

    /// @notice Whether certificate `id` has been issued.
    function isIssued(uint256 id) public view returns (bool) {
        return _issuances[id].issuedTo != address(0);
    }

    /// @notice What `account` holds of `id`: the unmoved issued volume if it was issued to, plus what it received.
    function balanceOf(address account, uint256 id) public view override returns (uint256) {
        Issuance storage issuance = _issuances[id];
        uint256 unmoved = issuance.issuedTo == account ? issuance.unmovedWh : 0;
        return unmoved + _received[id][account];
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return interfaceId == type(IERC1888).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Moves balances for transfers and burns (claims), which revert for revoked certificates; emits as
    ///      OpenZeppelin's `_update` does. Issuance does not come here: it writes the {Issuance} in {_issue}.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (ids.length != values.length) revert ERC1155InvalidArrayLength(ids.length, values.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (from != address(0)) _debit(from, ids[i], values[i]);
            if (to != address(0)) _received[ids[i]][to] += values[i];
        }
        if (ids.length == 1) {
            emit TransferSingle(_msgSender(), from, to, ids[0], values[0]);
        } else {
            emit TransferBatch(_msgSender(), from, to, ids, values);
        }
    }

    /// @dev Takes `value` of `id` from `from`: first from the unmoved issued volume, if `from` was issued to.
    function _debit(address from, uint256 id, uint256 value) private {
        Issuance storage issuance = _issuances[id];
        if (issuance.isRevoked) revert CertificateIsRevoked(id);
        uint256 unmoved = issuance.issuedTo == from ? issuance.unmovedWh : 0;
        uint256 fromUnmoved = value < unmoved ? value : unmoved;
        uint256 fromReceived = value - fromUnmoved;
        if (fromReceived != 0) {
            uint256 received = _received[id][from];
            if (received < fromReceived) revert ERC1155InsufficientBalance(from, unmoved + received, value, id);
            _received[id][from] = received - fromReceived;
        }
        if (fromUnmoved != 0) issuance.unmovedWh = uint88(unmoved - fromUnmoved);
    }

    /// @dev Issues every certificate, to `holder` if set, else to its `to`, and commits the batch.
    ///      The commitment hashes the call's arguments as sent, which are abi.encode(certificates) because the
    ///      encoding is checked to be canonical: no bytes beyond the array, and every field is validated as the
    ///      ABI decoder reads it. Hashing calldata costs far less than encoding the batch again.
    function _issueBatch(CertificateData[] calldata certificates, address holder) private {
        if (certificates.length == 0) revert EmptyBatch();
        if (
            msg.data.length != 4 + ARRAY_HEAD_SIZE + certificates.length * CERTIFICATE_DATA_SIZE
                || uint256(bytes32(msg.data[4:36])) != 32
        ) revert NonCanonicalEncoding();
        for (uint256 i = 0; i < certificates.length; ++i) {
            CertificateData calldata c = certificates[i];
            if (holder == address(0)) {
                _issue(c, c.to);
            } else {
                _issue(c, holder);
                _provisionalBeneficiary[uint256(c.certificateKey)] = c.to;
                emit ProvisionalIssued(uint256(c.certificateKey), c.to);
            }
        }
        bytes32 commitment = keccak256(msg.data[4:]);
        _commitments[commitment] = true;
        emit BatchCommitted(commitment, certificates.length);
    }

    /// @dev Checks a certificate, writes its {Issuance} (its one fresh slot) and mints its volume to `holder`.
    function _issue(CertificateData calldata c, address holder) private {
        uint256 id = uint256(c.certificateKey);
        if (_issuances[id].issuedTo != address(0)) revert CertificateAlreadyIssued(id);
        if (c.volumeWh == 0) revert EmptyCertificate(c.certificateKey);
        if (c.volumeWh > type(uint88).max) revert VolumeTooLarge(c.certificateKey, c.volumeWh);
        if (c.periodStart >= c.periodEnd) revert InvalidPeriod(c.periodStart, c.periodEnd);
        if (holder == address(0)) revert ERC1155InvalidReceiver(address(0));
        _issuances[id] = Issuance({issuedTo: holder, unmovedWh: uint88(c.volumeWh), isRevoked: false});
        emit CertificateIssued(
            id,
            c.to,
            c.reservationId,
            c.volumeWh,
            c.periodStart,
            c.periodEnd,
            c.contributionsRoot,
            c.metadataCidPrefix,
            c.metadataCidDigest
        );
        emit TransferSingle(_msgSender(), address(0), holder, id, c.volumeWh);
        ERC1155Utils.checkOnERC1155Received(_msgSender(), address(0), holder, id, c.volumeWh, "");
    }
}
