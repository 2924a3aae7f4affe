"""Request and response models of accounts."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from dapp.accounts.models import OrganizationType

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Name
    last_name: Name
    email: EmailStr
    organization_type: OrganizationType
    organization_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    organization_address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    password: str = Field(repr=False)
    password_confirmation: str = Field(repr=False)

    @model_validator(mode="after")
    def passwords_match(self) -> "RegistrationCreate":
        if self.password != self.password_confirmation:
            raise ValueError("password and password_confirmation differ")
        return self


class RegistrationRead(BaseModel):
    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    message: str


class EmailConfirmation(BaseModel):
    token: str


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    permissions: dict[str, list[str]] | None = None
    expires_at: datetime | None = None


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    permissions: dict[str, int]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret, shown this once only.")
