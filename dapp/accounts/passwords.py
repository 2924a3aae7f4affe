"""Password policy (R-ACC-2): at least 10 characters and not a commonly used password."""

from dapp.errors import field_error

MIN_LENGTH = 10
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "password123",
        "password12",
        "password1!",
        "passw0rd123",
        "iloveyou123",
        "qwerty1234",
        "qwerty123456",
        "abcdefghij",
        "abc1234567",
        "123456789a",
        "a123456789",
        "football123",
        "baseball123",
        "welcome123",
        "letmein123",
        "sunshine123",
        "princess123",
        "dragon1234",
        "monkey1234",
        "123123123123",
        "1111111111",
        "0000000000",
        "9876543210",
        "asdfghjkl;",
        "zaq12wsxcde",
        "changeme123",
        "administrator",
        "superman123",
        "trustno1234",
    }
)


def check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise field_error(field, f"The password must have at least {MIN_LENGTH} characters.", "password_too_short")
    if password.lower() in COMMON_PASSWORDS:
        raise field_error(field, "This password is too common; choose another one.", "password_too_common")
