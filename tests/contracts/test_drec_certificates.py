"""DrecCertificates: issuance, key uniqueness, batch commitments, claims (ERC-1888), roles."""

import hashlib

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

CID_PREFIX = bytes.fromhex("01551220")  # CIDv1, raw, sha2-256, 32 bytes: the binary form of bafkrei… CIDs
CID_DIGEST = hashlib.sha256(b"metadata document").digest()
ZERO_ADDRESS = "0x" + "00" * 20
CERTIFICATE_DATA = "(bytes32,address,uint256,uint64,uint64,bytes16,bytes32,bytes4,bytes32)"


def certificate(to, key=b"certificate-1", volume_wh=1_234_567, start=1_700_000_000, end=1_700_086_400):
    return (
        keccak(key),
        to.address,
        volume_wh,
        start,
        end,
        bytes.fromhex("0123456789abcdef0123456789abcdef"),
        keccak(b"contributions"),
        CID_PREFIX,
        CID_DIGEST,
    )


def token_id(cert):
    return int.from_bytes(cert[0], "big")


def test_issue_batch_mints_each_volume_to_its_owner(certificates, issuer, buyer, stranger):
    first = certificate(buyer, b"a", 1000)
    second = certificate(stranger, b"b", 2500)
    certificates.issueBatch([first, second], sender=issuer)
    assert certificates.balanceOf(buyer, token_id(first)) == 1000
    assert certificates.balanceOf(stranger, token_id(second)) == 2500
    assert certificates.isIssued(token_id(first))


def test_issue_emits_certificate_data(certificates, issuer, buyer):
    cert = certificate(buyer)
    receipt = certificates.issueBatch([cert], sender=issuer)
    [event] = receipt.decode_logs(certificates.CertificateIssued)
    assert event.id == token_id(cert)
    assert event.to == buyer.address
    assert event.volumeWh == cert[2]
    assert (event.periodStart, event.periodEnd) == (cert[3], cert[4])
    assert event.reservationId == cert[5]
    assert event.contributionsRoot == cert[6]
    assert (event.metadataCidPrefix, event.metadataCidDigest) == (CID_PREFIX, CID_DIGEST)


def test_commits_each_batch_as_the_hash_of_its_data(certificates, issuer, buyer, stranger):
    batch = [certificate(buyer, b"a"), certificate(stranger, b"b", 7)]
    receipt = certificates.issueBatch(batch, sender=issuer)
    [event] = receipt.decode_logs(certificates.BatchCommitted)
    assert event.commitment == keccak(encode([CERTIFICATE_DATA + "[]"], [batch]))
    assert event.count == 2
    assert certificates.isCommitted(batch)


@pytest.mark.parametrize("field", range(9))
def test_a_batch_with_any_field_changed_is_not_committed(certificates, issuer, buyer, stranger, field):
    batch = [certificate(buyer, b"a"), certificate(buyer, b"b")]
    certificates.issueBatch(batch, sender=issuer)
    changed = list(batch[1])
    changed[field] = stranger.address if field == 1 else _other(changed[field])
    assert not certificates.isCommitted([batch[0], tuple(changed)])


def test_the_order_and_the_size_of_a_batch_are_committed(certificates, issuer, buyer):
    batch = [certificate(buyer, b"a"), certificate(buyer, b"b")]
    certificates.issueBatch(batch, sender=issuer)
    assert not certificates.isCommitted([batch[1], batch[0]])
    assert not certificates.isCommitted(batch[:1])


def _other(value):
    return value + 1 if isinstance(value, int) else bytes([value[0] ^ 1]) + value[1:]


def issue_batch_calldata(batch) -> bytes:
    return keccak(text=f"issueBatch({CERTIFICATE_DATA}[])")[:4] + encode([CERTIFICATE_DATA + "[]"], [batch])


def test_calldata_with_trailing_bytes_reverts(certificates, issuer, buyer):
    """The commitment hashes the calldata, so it must be exactly abi.encode(certificates)."""
    cert = certificate(buyer)
    with ape.reverts(certificates.NonCanonicalEncoding):
        issuer.transfer(certificates, 0, data=issue_batch_calldata([cert]) + bytes(32))
    assert not certificates.isIssued(token_id(cert))


def test_calldata_with_dirty_field_bits_reverts(certificates, issuer, buyer):
    cert = certificate(buyer)
    data = bytearray(issue_batch_calldata([cert]))
    to_word = 4 + 64 + 32  # selector, array offset and length, certificate key
    data[to_word] = 0xFF  # an address with its top bits set
    with ape.reverts():
        issuer.transfer(certificates, 0, data=bytes(data))
    assert not certificates.isIssued(token_id(cert))


def test_an_empty_batch_reverts(certificates, issuer):
    with ape.reverts(certificates.EmptyBatch):
        certificates.issueBatch([], sender=issuer)


def test_a_volume_beyond_88_bits_reverts(certificates, issuer, buyer):
    with ape.reverts(certificates.VolumeTooLarge):
        certificates.issueBatch([certificate(buyer, volume_wh=2**88)], sender=issuer)
    certificates.issueBatch([certificate(buyer, volume_wh=2**88 - 1)], sender=issuer)


def test_second_mint_of_the_same_key_reverts(certificates, issuer, buyer):
    cert = certificate(buyer)
    certificates.issueBatch([cert], sender=issuer)
    with ape.reverts(certificates.CertificateAlreadyIssued, id=token_id(cert)):
        certificates.issueBatch([certificate(buyer, volume_wh=5)], sender=issuer)
    assert certificates.balanceOf(buyer, token_id(cert)) == cert[2]


def test_a_batch_repeating_a_key_reverts_whole(certificates, issuer, buyer):
    cert = certificate(buyer)
    with ape.reverts(certificates.CertificateAlreadyIssued):
        certificates.issueBatch([cert, cert], sender=issuer)
    assert not certificates.isIssued(token_id(cert))


def test_only_the_issuer_role_issues(certificates, stranger, buyer):
    with ape.reverts(certificates.AccessControlUnauthorizedAccount):
        certificates.issueBatch([certificate(buyer)], sender=stranger)


def test_rejects_empty_certificate(certificates, issuer, buyer):
    with ape.reverts(certificates.EmptyCertificate):
        certificates.issueBatch([certificate(buyer, volume_wh=0)], sender=issuer)


@pytest.mark.parametrize(("start", "end"), [(10, 10), (11, 10)])
def test_rejects_empty_or_reversed_period(certificates, issuer, buyer, start, end):
    with ape.reverts(certificates.InvalidPeriod):
        certificates.issueBatch([certificate(buyer, start=start, end=end)], sender=issuer)


def test_claim_burns_and_records_claimed_balance(certificates, issuer, buyer):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    receipt = certificates.claim(buyer, token_id(cert), 400, b"purpose", sender=buyer)
    [event] = receipt.decode_logs(certificates.ClaimSingle)
    assert (event.claimSubject, event.id, event.value, event.claimData) == (
        buyer.address,
        token_id(cert),
        400,
        b"purpose",
    )
    assert certificates.balanceOf(buyer, token_id(cert)) == 600
    assert certificates.claimedBalanceOf(buyer, token_id(cert)) == 400


def test_claim_more_than_balance_reverts(certificates, issuer, buyer):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    with ape.reverts(certificates.ERC1155InsufficientBalance):
        certificates.claim(buyer, token_id(cert), 1001, b"", sender=buyer)
    assert certificates.claimedBalanceOf(buyer, token_id(cert)) == 0


def test_zero_claim_reverts(certificates, issuer, buyer):
    cert = certificate(buyer)
    certificates.issueBatch([cert], sender=issuer)
    with ape.reverts(certificates.ZeroClaim):
        certificates.claim(buyer, token_id(cert), 0, b"", sender=buyer)


def test_claim_for_another_holder_needs_approval(certificates, issuer, buyer, stranger):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    with ape.reverts(certificates.NotOwnerNorApproved):
        certificates.claim(buyer, token_id(cert), 1, b"", sender=stranger)
    certificates.setApprovalForAll(stranger, True, sender=buyer)
    certificates.claim(buyer, token_id(cert), 1, b"", sender=stranger)
    assert certificates.claimedBalanceOf(buyer, token_id(cert)) == 1


def test_supports_erc1155_and_erc1888_interfaces(certificates):
    assert certificates.supportsInterface("0xd9b67a26")
    claimed_balance_selector = keccak(text="claimedBalanceOf(address,uint256)")[:4]
    assert certificates.supportsInterface(claimed_balance_selector)


def test_revoked_certificates_can_neither_move_nor_be_claimed(certificates, issuer, buyer, stranger):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    receipt = certificates.revoke(token_id(cert), "meter tampering", sender=issuer)
    [event] = receipt.decode_logs(certificates.CertificateRevoked)
    assert (event.id, event.reason) == (token_id(cert), "meter tampering")
    assert certificates.isRevoked(token_id(cert))
    with ape.reverts(certificates.CertificateIsRevoked):
        certificates.safeTransferFrom(buyer, stranger, token_id(cert), 1, b"", sender=buyer)
    with ape.reverts(certificates.CertificateIsRevoked):
        certificates.claim(buyer, token_id(cert), 1, b"", sender=buyer)
    assert certificates.balanceOf(buyer, token_id(cert)) == 1000


def test_only_the_issuer_revokes_and_only_issued_certificates(certificates, issuer, buyer, stranger):
    cert = certificate(buyer)
    with ape.reverts(certificates.CertificateNotIssued):
        certificates.revoke(token_id(cert), "x", sender=issuer)
    certificates.issueBatch([cert], sender=issuer)
    with ape.reverts(certificates.AccessControlUnauthorizedAccount):
        certificates.revoke(token_id(cert), "x", sender=stranger)


def test_transfers_move_volume_between_holders(certificates, issuer, buyer, stranger):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    certificates.safeTransferFrom(buyer, stranger, token_id(cert), 300, b"", sender=buyer)
    assert certificates.balanceOf(buyer, token_id(cert)) == 700
    assert certificates.balanceOf(stranger, token_id(cert)) == 300


def test_the_account_issued_to_spends_issued_and_received_tokens_alike(certificates, issuer, buyer, stranger):
    cert = certificate(buyer, volume_wh=1000)
    certificates.issueBatch([cert], sender=issuer)
    certificates.safeTransferFrom(buyer, stranger, token_id(cert), 300, b"", sender=buyer)
    certificates.safeTransferFrom(stranger, buyer, token_id(cert), 100, b"", sender=stranger)
    assert certificates.balanceOf(buyer, token_id(cert)) == 800
    with ape.reverts(certificates.ERC1155InsufficientBalance):
        certificates.safeTransferFrom(buyer, stranger, token_id(cert), 801, b"", sender=buyer)
    certificates.safeTransferFrom(buyer, stranger, token_id(cert), 750, b"", sender=buyer)  # 700 issued + 50
    certificates.claim(buyer, token_id(cert), 50, b"", sender=buyer)
    assert certificates.balanceOfBatch([buyer, stranger], [token_id(cert)] * 2) == [0, 1000 - 50]
    assert certificates.claimedBalanceOf(buyer, token_id(cert)) == 50


def test_provisional_issue_needs_a_provisional_account(certificates, issuer, buyer):
    with ape.reverts(certificates.NoProvisionalAccount):
        certificates.issueProvisionalBatch([certificate(buyer)], sender=issuer)


def test_provisional_certificates_go_to_the_beneficiary_when_irec_confirms(
    certificates, admin, issuer, buyer, stranger
):
    certificates.setProvisionalAccount(stranger, sender=admin)
    cert = certificate(buyer, volume_wh=5000)
    receipt = certificates.issueProvisionalBatch([cert], sender=issuer)
    assert certificates.isCommitted([cert])
    [provisional] = receipt.decode_logs(certificates.ProvisionalIssued)
    assert (provisional.id, provisional.beneficiary) == (token_id(cert), buyer.address)
    assert certificates.balanceOf(stranger, token_id(cert)) == 5000
    assert certificates.provisionalBeneficiary(token_id(cert)) == buyer.address

    confirmed = certificates.confirmIrec(token_id(cert), "IREC-0001", "IREC-0005", *V2_CID, sender=issuer)
    [event] = confirmed.decode_logs(certificates.IrecIssued)
    assert (event.serialStart, event.serialEnd) == ("IREC-0001", "IREC-0005")
    assert (bytes(event.metadataCidPrefix), bytes(event.metadataCidDigest)) == V2_CID
    assert certificates.balanceOf(buyer, token_id(cert)) == 5000
    assert certificates.balanceOf(stranger, token_id(cert)) == 0
    with ape.reverts(certificates.NotProvisional):
        certificates.confirmIrec(token_id(cert), "IREC-0001", "IREC-0005", *V2_CID, sender=issuer)


V2_CID = (CID_PREFIX, keccak(b"metadata version 2"))


def provisional(certificates, admin, issuer, buyer, holder, volume_wh=5000):
    """A certificate of `buyer` minted to the provisional account `holder`."""
    certificates.setProvisionalAccount(holder, sender=admin)
    cert = certificate(buyer, volume_wh=volume_wh)
    certificates.issueProvisionalBatch([cert], sender=issuer)
    return token_id(cert)


def test_only_the_issuer_confirms_or_releases(certificates, admin, issuer, buyer, stranger):
    token = provisional(certificates, admin, issuer, buyer, stranger)
    with ape.reverts(certificates.AccessControlUnauthorizedAccount):
        certificates.confirmIrec(token, "IREC-0001", "IREC-0005", *V2_CID, sender=buyer)
    for sender in (buyer, stranger, admin):
        with ape.reverts(certificates.AccessControlUnauthorizedAccount):
            certificates.releaseProvisional(token, 5000, sender=sender)
    assert certificates.provisionalBeneficiary(token) == buyer.address


def test_a_release_of_everything_moves_it_as_drec_and_ends_the_provisional_state(
    certificates, admin, issuer, buyer, stranger
):
    token = provisional(certificates, admin, issuer, buyer, stranger)
    receipt = certificates.releaseProvisional(token, 5000, sender=issuer)
    [event] = receipt.decode_logs(certificates.ProvisionalReleased)
    assert (event.id, event.beneficiary, event.volumeWh, event.provisionalWh) == (token, buyer.address, 5000, 0)
    assert certificates.balanceOfBatch([buyer, stranger], [token, token]) == [5000, 0]
    assert certificates.provisionalBeneficiary(token) == ZERO_ADDRESS
    assert not certificates.isPartlyReleased(token)
    with ape.reverts(certificates.NotProvisional):
        certificates.releaseProvisional(token, 5000, sender=issuer)
    with ape.reverts(certificates.NotProvisional):
        certificates.confirmIrec(token, "IREC-0001", "IREC-0005", *V2_CID, sender=issuer)
    certificates.claim(buyer, token, 5000, b"", sender=buyer)  # a plain D-REC: its buyer claims it
    assert certificates.claimedBalanceOf(buyer, token) == 5000


def test_a_partial_release_happens_once_and_confirmation_moves_the_rest(certificates, admin, issuer, buyer, stranger):
    token = provisional(certificates, admin, issuer, buyer, stranger)
    [event] = certificates.releaseProvisional(token, 1200, sender=issuer).decode_logs(certificates.ProvisionalReleased)
    assert (event.volumeWh, event.provisionalWh) == (1200, 3800)
    assert certificates.balanceOfBatch([buyer, stranger], [token, token]) == [1200, 3800]
    assert certificates.isPartlyReleased(token)
    assert certificates.provisionalBeneficiary(token) == buyer.address
    with ape.reverts(certificates.AlreadyReleased):
        certificates.releaseProvisional(token, 100, sender=issuer)
    certificates.confirmIrec(token, "IREC-0001", "IREC-0003", *V2_CID, sender=issuer)
    assert certificates.balanceOfBatch([buyer, stranger], [token, token]) == [5000, 0]


def test_a_release_refuses_a_plain_drec_nothing_and_more_than_held(certificates, admin, issuer, buyer, stranger):
    plain = certificate(buyer, key=b"plain", volume_wh=700)
    certificates.issueBatch([plain], sender=issuer)
    with ape.reverts(certificates.NotProvisional):
        certificates.releaseProvisional(token_id(plain), 700, sender=issuer)
    token = provisional(certificates, admin, issuer, buyer, stranger)
    with ape.reverts(certificates.ZeroRelease):
        certificates.releaseProvisional(token, 0, sender=issuer)
    with ape.reverts(certificates.ERC1155InsufficientBalance):
        certificates.releaseProvisional(token, 5001, sender=issuer)
    assert certificates.balanceOf(stranger, token) == 5000


def test_gas_of_release_and_confirmation_against_a_plain_mint(certificates, admin, issuer, buyer, stranger):
    """Prints the figures for the closing note (R-NF-4); asserts only that neither costs more than a mint."""
    mint = certificates.issueBatch([certificate(buyer, key=b"plain")], sender=issuer).gas_used
    certificates.setProvisionalAccount(stranger, sender=admin)
    keys = [b"released", b"confirmed", b"partly"]
    minted = certificates.issueProvisionalBatch([certificate(buyer, key=k) for k in keys], sender=issuer)
    released = certificates.releaseProvisional(token_id(certificate(buyer, key=keys[0])), 1_234_567, sender=issuer)
    confirmed = certificates.confirmIrec(
        token_id(certificate(buyer, key=keys[1])), "IREC-2026-000001", "IREC-2026-000002", *V2_CID, sender=issuer
    )
    partly = certificates.releaseProvisional(token_id(certificate(buyer, key=keys[2])), 234_567, sender=issuer)
    figures = {"plain mint (1)": mint, "provisional mint (3)": minted.gas_used, "release all": released.gas_used,
               "release part": partly.gas_used, "confirmIrec with CID": confirmed.gas_used}  # fmt: skip
    print("gas:", figures)
    assert max(released.gas_used, confirmed.gas_used) < mint


def test_only_the_admin_sets_the_provisional_account(certificates, stranger):
    with ape.reverts(certificates.AccessControlUnauthorizedAccount):
        certificates.setProvisionalAccount(stranger, sender=stranger)
