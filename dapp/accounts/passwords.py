"""Password policy (R-ACC-2): at least 10 characters, and not guessable — judged by zxcvbn, a maintained
strength estimator whose dictionaries hold the common passwords of public breach lists, names and words, and
which sees through the usual disguises (l33t, capitals, appended digits and years, keyboard walks, repeats).

A password is refused below score 3 of 0–4 ("safely unguessable", about 10^8 guesses and more). The person's
own name, email and organization count as guessable words of their own password.
"""

from collections.abc import Iterable

from zxcvbn import zxcvbn

from dapp.errors import field_error

MIN_LENGTH = 10
MIN_SCORE = 3
ESTIMATED_LENGTH = 72  # zxcvbn judges at most this many characters; anything longer is stronger still


def check_password(password: str, field: str = "password", personal: Iterable[str] = ()) -> None:
    """Refuse a password that is too short, or guessable (from common lists or from `personal` words)."""
    if len(password) < MIN_LENGTH:
        raise field_error(field, f"The password must have at least {MIN_LENGTH} characters.", "password_too_short")
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[word for word in personal if word])
    if estimate["score"] < MIN_SCORE:
        hint = " ".join(filter(None, [estimate["feedback"]["warning"], *estimate["feedback"]["suggestions"]]))
        raise field_error(
            field, f"This password is too easy to guess; choose another one. {hint}".strip(), "password_too_common"
        )
