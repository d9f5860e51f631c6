"""The secrets of kid mode: a device's credential and a pairing code, made with `secrets`, kept
only as SHA-256 digests.

A credential is long and random (256 bits): a digest without salt is enough to look it up and
cannot be reversed. A pairing code is short enough to type on a tablet (8 characters from an
alphabet without look-alikes, about 37 bits), which is safe because it lives 10 minutes, is used
once, and the exchange is throttled per address.
"""

import hashlib
import re
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: what a child or a parent could misread on a screen.
PAIRING_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
PAIRING_CODE_LENGTH = 8
CREDENTIAL_BYTES = 32
TOKEN_PREFIX_LENGTH = 8
# Spaces and dashes a person may type between groups of characters are not part of the code.
SEPARATORS = re.compile(r"[\s-]+")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_credential() -> str:
    """A device credential (URL-safe base64, 43 characters)."""
    return secrets.token_urlsafe(CREDENTIAL_BYTES)


def credential_digest(credential: str) -> str:
    return sha256_hex(credential)


def new_pairing_code() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def normalize_pairing_code(code: str) -> str:
    """The code as issued: upper case, without the spaces and dashes a person may add."""
    return SEPARATORS.sub("", code).upper()


def pairing_code_digest(code: str) -> str:
    return sha256_hex(normalize_pairing_code(code))
