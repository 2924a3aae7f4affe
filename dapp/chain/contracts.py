"""web3.py access to the deployed contracts, signing with the platform's key.

Only this package and the indexer import web3 (DESIGN §3). Addresses and ABIs come from the deployment file
that `scripts/deploy.py` (Ape) writes.
"""

import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound, Web3Exception, Web3RPCError
from web3.types import TxReceipt

from dapp.chain import keystore
from dapp.chain.fees import GWEI, FeeCeiling, FeeQuote, Fees

RECEIPT_TIMEOUT_SECONDS = 120
FEE_HISTORY_BLOCKS = 10
LOCAL_CEILING = FeeCeiling(100 * GWEI, 10 * GWEI)


class ChainUnavailable(Exception):
    """The chain node cannot be reached or the deployment is missing."""


class WrongChain(Exception):
    """The node at the configured URL, or the deployment file, is another chain than the configured one."""


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
    ceiling: FeeCeiling = field(default=LOCAL_CEILING)
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
        nonce = self.pool_nonce(account.address)
        return self._send(self.sign(call, account, nonce, self.fee_quote().fees()).raw)

    def sign(self, call: Any, account: LocalAccount, nonce: int, fees: Fees) -> SignedTransaction:
        """Build (estimating gas) and sign a contract call with `nonce` and `fees`; nothing is sent.

        A call the contract would revert raises `ContractLogicError` here.
        """
        tx = call.build_transaction(
            {"from": account.address, "nonce": nonce, "chainId": self.deployment["chain_id"], **fees.fields()}
        )
        return _signed(account, tx)

    def sign_transfer(
        self, account: LocalAccount, to: str, value_wei: int, nonce: int, fees: Fees
    ) -> SignedTransaction:
        """Sign a plain transfer of the chain's coin (a gas top-up); nothing is sent."""
        tx = {
            "to": Web3.to_checksum_address(to),
            "value": value_wei,
            "gas": 21_000,
            "nonce": nonce,
            "chainId": self.deployment["chain_id"],
            **fees.fields(),
        }
        return _signed(account, tx)

    def resign(self, raw: bytes, account: LocalAccount, fees: Fees) -> SignedTransaction:
        """The transaction of `raw` (same nonce, call and gas) signed again with other fees: its replacement."""
        return _signed(account, {**_unsigned(raw), **fees.fields()})

    def fee_quote(self) -> FeeQuote:
        """What a transaction costs now (dapp.chain.fees): the next block's base fee and the tip to offer, or the
        gas price of a node without EIP-1559."""
        try:
            history = self.web3.eth.fee_history(FEE_HISTORY_BLOCKS, "latest", [50])
        except Web3RPCError:  # no eth_feeHistory: a node before EIP-1559
            return FeeQuote(int(self.web3.eth.gas_price), 0, self.ceiling, legacy=True)
        base_fee = int(history["baseFeePerGas"][-1])
        if base_fee == 0:
            return FeeQuote(int(self.web3.eth.gas_price), 0, self.ceiling, legacy=True)
        tips = sorted(int(reward[0]) for reward in history.get("reward", []) if reward)
        tip = tips[len(tips) // 2] if tips else 0
        with contextlib.suppress(Web3RPCError):  # a node without a suggestion: the recent blocks' median alone
            tip = max(tip, int(self.web3.eth.max_priority_fee))
        return FeeQuote(base_fee, tip, self.ceiling)

    def wait_for_any_receipt(self, tx_hashes: Sequence[str], timeout: float) -> TxReceipt | None:
        """The receipt of whichever of `tx_hashes` is mined first (a transaction and its replacements share a
        nonce: at most one is), or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for tx_hash in tx_hashes:
                if (receipt := self.receipt(tx_hash)) is not None:
                    return receipt
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)

    def node_chain_id(self) -> int:
        return int(self.web3.eth.chain_id)

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

    def _send(self, raw: bytes) -> TxReceipt:
        tx_hash = self.web3.eth.send_raw_transaction(raw)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS)
        if receipt["status"] != 1:
            raise TransactionReverted(f"transaction {hex_hash(tx_hash)} reverted")
        return receipt


def _signed(account: LocalAccount, tx: dict[str, Any]) -> SignedTransaction:
    signed = account.sign_transaction(tx)
    return SignedTransaction(account.address, int(tx["nonce"]), hex_hash(signed.hash), bytes(signed.raw_transaction))


def _unsigned(raw: bytes) -> dict[str, Any]:
    """The fields of a signed transaction but its signature and fees: an EIP-1559 (type 2) one or a legacy one
    with EIP-155 replay protection."""
    if raw[0] == 2:
        fields = dict(TypedTransaction.from_bytes(HexBytes(raw)).as_dict())
        for name in ("v", "r", "s", "yParity", "maxFeePerGas", "maxPriorityFeePerGas"):
            fields.pop(name, None)
        return fields
    nonce, _gas_price, gas, to, value, data, v, _r, _s = rlp.decode(raw)
    number = int.from_bytes
    return {
        "nonce": number(nonce),
        "gas": number(gas),
        "to": Web3.to_checksum_address(to),
        "value": number(value),
        "data": bytes(data),
        "chainId": (number(v) - 35) // 2,
    }


def from_settings(settings: Any) -> Chain:
    """The chain of `settings`, signing with the platform's key (from its keystore on a public network)."""
    return Chain(
        settings.chain_rpc_url,
        settings.deployment_file,
        keystore.platform_key(settings),
        FeeCeiling.from_settings(settings),
    )


def reader(settings: Any) -> Chain:
    """The chain of `settings` for reading only (the indexer, probes, fee figures): no key is unlocked."""
    return Chain(settings.chain_rpc_url, settings.deployment_file, "", FeeCeiling.from_settings(settings))


def check_network(settings: Any) -> None:
    """Refuse to start against another chain than the configured one: the node at the URL and the deployment file
    must both be `settings.chain_id`. A node that does not answer (or no deployment yet) is an outage, not a
    refusal (ADR 0090): the process starts and waits for it."""
    chain = reader(settings)
    try:
        node = chain.node_chain_id()
    except (OSError, Web3Exception, ValueError):
        return
    if node != settings.chain_id:
        raise WrongChain(
            f"the node at {settings.chain_rpc_url} is chain {node}, not chain {settings.chain_id} of the"
            f" {settings.chain_network} network: check DREC_CHAIN_RPC_URL and DREC_CHAIN_NETWORK/DREC_CHAIN_ID"
        )
    try:
        deployed = chain.deployment.get("chain_id")
    except (ChainUnavailable, ValueError):
        return
    if deployed != settings.chain_id:
        raise WrongChain(
            f"the deployment file {settings.deployment_file} is for chain {deployed}, not chain {settings.chain_id}:"
            " deploy to this network (docs/public-chains.md) or point DREC_DEPLOYMENT_FILE at its deployment"
        )
