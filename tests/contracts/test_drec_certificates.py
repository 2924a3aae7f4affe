"""DrecCertificates: issuance, key uniqueness, claims (ERC-1888), roles."""

import ape
import pytest
from eth_utils import keccak

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def certificate(to, key=b"certificate-1", volume_wh=1_234_567, start=1_700_000_000, end=1_700_086_400):
    return (
        keccak(key),
        to.address,
        volume_wh,
        start,
        end,
        bytes(16),
        keccak(b"contributions"),
        CID,
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
    assert event.metadataCid == CID
    assert event.contributionsRoot == cert[6]


def test_commits_the_hash_of_the_certificate_data(certificates, issuer, buyer):
    cert = certificate(buyer)
    certificates.issueBatch([cert], sender=issuer)
    assert certificates.certificateDataHash(token_id(cert)) == certificates.hashCertificate(cert)


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


def test_provisional_issue_needs_a_provisional_account(certificates, issuer, buyer):
    with ape.reverts(certificates.NoProvisionalAccount):
        certificates.issueProvisionalBatch([certificate(buyer)], sender=issuer)


def test_provisional_certificates_go_to_the_beneficiary_when_irec_confirms(
    certificates, admin, issuer, buyer, stranger
):
    certificates.setProvisionalAccount(stranger, sender=admin)
    cert = certificate(buyer, volume_wh=5000)
    receipt = certificates.issueProvisionalBatch([cert], sender=issuer)
    [provisional] = receipt.decode_logs(certificates.ProvisionalIssued)
    assert (provisional.id, provisional.beneficiary) == (token_id(cert), buyer.address)
    assert certificates.balanceOf(stranger, token_id(cert)) == 5000
    assert certificates.provisionalBeneficiary(token_id(cert)) == buyer.address

    confirmed = certificates.confirmIrec(token_id(cert), "IREC-0001", "IREC-0005", sender=issuer)
    [event] = confirmed.decode_logs(certificates.IrecIssued)
    assert (event.serialStart, event.serialEnd) == ("IREC-0001", "IREC-0005")
    assert certificates.balanceOf(buyer, token_id(cert)) == 5000
    assert certificates.balanceOf(stranger, token_id(cert)) == 0
    with ape.reverts(certificates.NotProvisional):
        certificates.confirmIrec(token_id(cert), "IREC-0001", "IREC-0005", sender=issuer)


def test_only_the_admin_sets_the_provisional_account(certificates, stranger):
    with ape.reverts(certificates.AccessControlUnauthorizedAccount):
        certificates.setProvisionalAccount(stranger, sender=stranger)
