"""Passwords are stored as argon2id hashes, and checked against them."""

from __future__ import annotations

import pytest

from web.passwords import (
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_a_password_is_stored_as_an_argon2id_hash_that_checks():
    stored = hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not needs_rehash(stored)


def test_no_hash_or_a_broken_one_never_checks():
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


@pytest.mark.parametrize(
    "password, problem",
    [("x" * 11, "at least 12 characters"), ("x" * 257, "at most 256 characters")],
)
def test_too_short_or_too_long_is_refused(password, problem):
    with pytest.raises(WeakPassword, match=problem):
        check_strength(password)


def test_a_long_passphrase_of_words_is_enough():
    check_strength("correct horse battery staple")
