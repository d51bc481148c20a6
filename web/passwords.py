"""Console passwords, hashed with argon2id (argon2-cffi and its recommended parameters).

argon2 is slow on purpose and memory-hard, so a stolen table of hashes is expensive to guess
at. The parameters live in the hash, so raising them later re-hashes each password at its
next sign-in (`needs_rehash`).
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so it takes as long as a known one."""
    return _hasher.hash("no such user, but the same work")


class WeakPassword(ValueError):
    pass


def check_strength(password: str) -> None:
    """Length is what matters (NIST SP 800-63B); no rules about digits or symbols."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, the same work is done and False comes."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
