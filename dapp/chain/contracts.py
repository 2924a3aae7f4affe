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
from web3.types import TxReceipt

RECEIPT_TIMEOUT_SECONDS = 120


class ChainUnavailable(Exception):
    """The chain node cannot be reached or the deployment is missing."""


@dataclass
class Chain:
    rpc_url: str
    deployment_file: Path
    private_key: str

    @cached_property
    def web3(self) -> Web3:
        return Web3(Web3.HTTPProvider(self.rpc_url, request_kwargs={"timeout": 30}))

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

        A call the contract would revert raises `ContractLogicError` before anything is sent.
        """
        account = signer or self.signer
        tx = call.build_transaction(
            {
                "from": account.address,
                "nonce": self.web3.eth.get_transaction_count(account.address, "pending"),
                "chainId": self.deployment["chain_id"],
            }
        )
        return self._send(account.sign_transaction(tx).raw_transaction)

    def fund(self, address: str, minimum_wei: int, top_up_wei: int) -> None:
        """Give a platform-managed account gas money from the platform account when it runs low."""
        if self.web3.eth.get_balance(address) >= minimum_wei:
            return
        tx = {
            "to": address,
            "value": top_up_wei,
            "gas": 21_000,
            "gasPrice": self.web3.eth.gas_price,
            "nonce": self.web3.eth.get_transaction_count(self.signer.address, "pending"),
            "chainId": self.deployment["chain_id"],
        }
        self._send(self.signer.sign_transaction(tx).raw_transaction)

    def _send(self, raw: bytes) -> TxReceipt:
        tx_hash = self.web3.eth.send_raw_transaction(raw)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS)
        if receipt["status"] != 1:
            raise ChainUnavailable(f"transaction {tx_hash.hex()} reverted")
        return receipt


def from_settings(settings: Any) -> Chain:
    return Chain(settings.chain_rpc_url, settings.deployment_file, settings.platform_private_key)
