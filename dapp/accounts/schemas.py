"""Request and response models of accounts."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dapp.models.accounts import OrganizationType
from dapp.web.boundary import ONE_LINE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]
OrganizationName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Secret = Annotated[str, Field(repr=False, max_length=1000)]
Grants = dict[Annotated[str, StringConstraints(max_length=40)], list[Annotated[str, StringConstraints(max_length=10)]]]
GRANTS_HELP = 'Per module, any of READ, WRITE, UPDATE, DELETE, e.g. {"devices": ["READ", "WRITE"]}.'


def _same_as(field: str, value: str, info: ValidationInfo) -> str:
    if field in info.data and value != info.data[field]:
        raise ValueError(f"does not match {field}")
    return value


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Name
    last_name: Name
    email: EmailStr
    organization_type: OrganizationType
    organization_name: OrganizationName
    organization_address: Address
    password: Secret
    password_confirmation: Secret

    @field_validator("password_confirmation")
    @classmethod
    def passwords_match(cls, value: str, info: ValidationInfo) -> str:
        return _same_as("password", value, info)


class SessionRead(BaseModel):
    """A live sign-in session of the person, as their sessions page lists it."""

    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    address: str
    user_agent: str
    is_current: bool


class RegistrationAccepted(BaseModel):
    """The answer to a sign-up, the same whether or not the email was registered already."""

    email: str
    message: str


class RegistrationRead(BaseModel):
    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    message: str


class EmailConfirmation(BaseModel):
    token: Annotated[str, StringConstraints(max_length=200)]


class EmailOnly(BaseModel):
    """An email address to send a link to (confirmation resend, password reset)."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class Message(BaseModel):
    message: str


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Secret
    new_password: Secret
    new_password_confirmation: Secret

    @field_validator("new_password_confirmation")
    @classmethod
    def passwords_match(cls, value: str, info: ValidationInfo) -> str:
        return _same_as("new_password", value, info)


class TokenWithPassword(BaseModel):
    """A single-use token from an email, with the password it sets (reset, invitation acceptance)."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(max_length=200)]
    password: Secret
    password_confirmation: Secret

    @field_validator("password_confirmation")
    @classmethod
    def passwords_match(cls, value: str, info: ValidationInfo) -> str:
        return _same_as("password", value, info)


class PasswordReset(TokenWithPassword):
    """Sets a new password with the token of a reset email."""


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Name
    last_name: Name
    email: EmailStr
    permissions: Grants | None = Field(default=None, description=GRANTS_HELP + " None: READ on every module.")


class InvitationRead(BaseModel):
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    permissions: Grants
    status: str
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None


class InvitationAcceptance(TokenWithPassword):
    """Accepting sets the new member's password: no password is ever sent by email."""


class InvitationRejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(max_length=200)]


class MemberRead(BaseModel):
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    is_org_admin: bool
    is_disabled: bool
    permissions: Grants


class PermissionsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    permissions: Grants = Field(description=GRANTS_HELP + " Modules left out get no permission.")


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    type: str
    address: str
    blockchain_address: str | None = Field(description="The platform-managed account (custodial).")
    bound_wallet_address: str | None = Field(description="The buyer's own wallet, bound by a signed challenge.")
    wallet_bound_at: datetime | None
    certificate_address: str | None = Field(description="Where new reservations send certificates by default.")
    created_at: datetime


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OrganizationName | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def something_to_change(self) -> "OrganizationUpdate":
        if self.name is None and self.address is None:
            raise ValueError("send name, address or both")
        return self


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    permissions: Grants | None = Field(default=None, description=GRANTS_HELP + " None: READ on every module.")
    expires_at: AwareDatetime | None = None


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    permissions: dict[str, int]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_by_id: uuid.UUID = Field(description="The person the key acts for: it holds at most their permissions.")
    created_by: str = ""
    stopped_because: str | None = Field(
        default=None,
        description="Why the key stopped working (its creator left, was disabled or deleted their account); an "
        "organization admin can adopt it to make it work again.",
    )


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret, shown this once only.")


class Anonymisation(BaseModel):
    """Deleting one's account is confirmed with the password."""

    model_config = ConfigDict(extra="forbid")

    password: Secret


class PersonalData(BaseModel):
    """Everything the registry holds about one person (R-ACC-10)."""

    profile: dict[str, Any]
    organization: dict[str, Any] | None
    api_keys_created: list[dict[str, Any]]
    invitations_received: list[dict[str, Any]]
    invitations_sent: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    exported_at: datetime


WalletAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=42, pattern=r"^0x[0-9a-fA-F]{40}$")]


class WalletChallengeCreate(BaseModel):
    """Ask for a message to sign with the wallet to bind (R-CHAIN-4)."""

    model_config = ConfigDict(extra="forbid")

    address: WalletAddress


class WalletChallengeRead(BaseModel):
    id: uuid.UUID
    address: str
    message: str = Field(description="Sign this text with personal_sign (EIP-191)…")
    typed_data: dict[str, Any] = Field(description="…or these typed data with eth_signTypedData_v4 (EIP-712).")
    issued_at: datetime
    expires_at: datetime


class WalletBindingCreate(BaseModel):
    """The signature of a challenge by the wallet it names; binds the wallet to the organization."""

    model_config = ConfigDict(extra="forbid")

    challenge_id: uuid.UUID
    signature: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    scheme: Literal["personal_sign", "eip712"] = "personal_sign"
