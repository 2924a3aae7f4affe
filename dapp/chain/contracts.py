"""web3.py access to the deployed contracts, signing with the platform's key.

Only this package and the indexer import web3 (DESIGN §3). Addresses and ABIs come from the deployment file
that `scripts/deploy.py` (Ape) writes.
"""

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

RECEIPT_TIMEOUT_SECONDS = 120


class ChainUnavailable(Exception):
    """The chain node cannot be reached or the deployment is missing."""


class TransactionReverted(Exception):
    """A transaction was mined but reverted: none of its effects happened (its gas is spent)."""


@dataclass(frozen=True)
class SignedTransaction:
    sender: str
    nonce: int
    tx_hash: str  # 0x-prefixed hex
    raw: bytes


def hex_hash(value: bytes) -> str:
    """A transaction hash as 0x-prefixed lower-case hex (web3 returns HexBytes)."""
    return "0x" + bytes(value).hex()


@dataclass
class Chain:
    rpc_url: str
    deployment_file: Path
    private_key: str
    timeout_seconds: float = 30  # per JSON-RPC call
    retries: bool = True  # web3's own retries of a failed call (five, with backoff)

    @cached_property
    def web3(self) -> Web3:
        kwargs: dict[str, Any] = {} if self.retries else {"exception_retry_configuration": None}
        return Web3(Web3.HTTPProvider(self.rpc_url, request_kwargs={"timeout": self.timeout_seconds}, **kwargs))

    @cached_property
    def deployment(self) -> dict[str, Any]:
        try:
            return json.loads(self.deployment_file.read_text())
        except FileNotFoundError as error:
            raise ChainUnavailable(f"no deployment file at {self.deployment_file}") from error

    @cached_property
    def signer(self) -> LocalAccount:
        return Account.from_key(self.private_key)

    def contract(self, name: str) -> Contract:
        entry = self.deployment["contracts"][name]
        return self.web3.eth.contract(address=Web3.to_checksum_address(entry["address"]), abi=entry["abi"])

    def transact(self, call: Any, signer: LocalAccount | None = None) -> TxReceipt:
        """Sign and send a contract call (from the platform account unless `signer`); wait for its receipt.

        A call the contract would revert raises `ContractLogicError` before anything is sent. The outbox does not
        use this: it records each transaction before broadcasting it (dapp.chain.sending).
        """
        account = signer or self.signer
        signed = self.sign(call, account, self.web3.eth.get_transaction_count(account.address, "pending"))
        return self._send(signed.raw)

    def sign(self, call: Any, account: LocalAccount, nonce: int) -> SignedTransaction:
        """Build (estimating gas) and sign a contract call with `nonce`; nothing is sent.

        A call the contract would revert raises `ContractLogicError` here.
        """
        tx = call.build_transaction({"from": account.address, "nonce": nonce, "chainId": self.deployment["chain_id"]})
        signed = account.sign_transaction(tx)
        return SignedTransaction(account.address, nonce, hex_hash(signed.hash), bytes(signed.raw_transaction))

    def broadcast(self, raw: bytes) -> None:
        """Hand signed bytes to the node; the same bytes twice are the same transaction, never a second one."""
        try:
            self.web3.eth.send_raw_transaction(raw)
        except Web3RPCError as error:
            if "already" not in str(error):  # "already known" / "already imported": it is in the pool
                raise

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt of a mined transaction, None while it is not mined (or unknown)."""
        try:
            return self.web3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def is_known(self, tx_hash: str) -> bool:
        """Whether the node has the transaction (in its pool or in a block)."""
        try:
            self.web3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return True

    def wait_for_receipt(self, tx_hash: str, timeout: float) -> TxReceipt:
        """Poll for the receipt; raises web3's `TimeExhausted` after `timeout` seconds."""
        return self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.2)  # type: ignore[arg-type]

    def mined_nonce(self, address: str) -> int:
        """How many transactions of `address` are mined: every nonce below it is used for good."""
        return self.web3.eth.get_transaction_count(address, "latest")  # type: ignore[arg-type]

    def pool_nonce(self, address: str) -> int:
        """The next nonce of `address` counting the node's pending pool."""
        return self.web3.eth.get_transaction_count(address, "pending")  # type: ignore[arg-type]

    def balance_wei(self, address: str) -> int:
        """The native balance of `address` (gas money), asked of the node; ChainUnavailable when it does not answer."""
        try:
            return int(self.web3.eth.get_balance(Web3.to_checksum_address(address)))
        except OSError as error:  # requests' connection errors are OSErrors
            raise ChainUnavailable(f"the chain node at {self.rpc_url} does not answer") from error

    def fund(self, address: str, minimum_wei: int, top_up_wei: int) -> None:
        """Give a platform-managed account gas money from the platform account when it runs low."""
        if self.web3.eth.get_balance(Web3.to_checksum_address(address)) >= minimum_wei:
            return
        tx = {
            "to": address,
            "value": top_up_wei,
            "gas": 21_000,
            "gasPrice": self.web3.eth.gas_price,
            "nonce": self.pool_nonce(self.signer.address),
            "chainId": self.deployment["chain_id"],
        }
        self._send(self.signer.sign_transaction(tx).raw_transaction)

    def _send(self, raw: bytes) -> TxReceipt:
        tx_hash = self.web3.eth.send_raw_transaction(raw)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS)
        if receipt["status"] != 1:
            raise TransactionReverted(f"transaction {hex_hash(tx_hash)} reverted")
        return receipt


def from_settings(settings: Any) -> Chain:
    return Chain(settings.chain_rpc_url, settings.deployment_file, settings.platform_private_key)
