// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Reservation log
/// @notice Append-only, public record of buyer reservations: creation, device changes and end.
/// @dev Stores nothing; the events are the log. Device lists are published in IPFS; the log carries their
///      CID and the keccak256 hash of the canonical list.
contract ReservationLog is AccessControl {
    /// @notice Role allowed to write the log.
    bytes32 public constant LOGGER_ROLE = keccak256("LOGGER_ROLE");

    /// @notice A reservation was created.
    event ReservationCreated(
        bytes16 indexed reservationId,
        address indexed buyer,
        uint64 periodStart,
        uint64 periodEnd,
        string frequency,
        uint256 targetWh,
        bool authorityToExceed,
        bytes32 devicesHash,
        string devicesCid
    );

    /// @notice The devices of a reservation changed; the new full list is published at `devicesCid`.
    event ReservationDevicesChanged(bytes16 indexed reservationId, bytes32 devicesHash, string devicesCid);

    /// @notice A reservation ended at `endedAt`.
    event ReservationEnded(bytes16 indexed reservationId, uint64 endedAt);

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Record the creation of a reservation.
    function logCreated(
        bytes16 reservationId,
        address buyer,
        uint64 periodStart,
        uint64 periodEnd,
        string calldata frequency,
        uint256 targetWh,
        bool authorityToExceed,
        bytes32 devicesHash,
        string calldata devicesCid
    ) external onlyRole(LOGGER_ROLE) {
        emit ReservationCreated(
            reservationId, buyer, periodStart, periodEnd, frequency, targetWh, authorityToExceed, devicesHash, devicesCid
        );
    }

    /// @notice Record a change of a reservation's devices.
    function logDevicesChanged(bytes16 reservationId, bytes32 devicesHash, string calldata devicesCid)
        external
        onlyRole(LOGGER_ROLE)
    {
        emit ReservationDevicesChanged(reservationId, devicesHash, devicesCid);
    }

    /// @notice Record the end of a reservation.
    function logEnded(bytes16 reservationId, uint64 endedAt) external onlyRole(LOGGER_ROLE) {
        emit ReservationEnded(reservationId, endedAt);
    }
}
