"""Console users: made by the `touchpoint users` commands, signed in by the sign-in page.

An email is the sign-in name, stored lower-cased; a role is one of web.access.ROLES.
Changing a password ends the user's other sessions, since whoever knew the old one may be
signed in with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email

from web.access import ROLES
from web.models import ConsoleSession, User
from web.passwords import check_strength, hash_password, needs_rehash, verify_password
from web.sessions import end_sessions_of


class UserError(ValueError):
    """A bad email, role or password, with what was wrong."""


def normalise_email(text: str) -> str:
    try:
        found = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise UserError(f"not an email address: {text!r} ({error})") from None
    return found.normalized.lower()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    return role


async def create_user(email: str, role: str, password: str, display_name: str = "") -> User:
    address, role = normalise_email(email), check_role(role)
    try:
        check_strength(password)
    except ValueError as error:
        raise UserError(str(error)) from None
    if await User.exists(email=address):
        raise UserError(f"a user with the email {address} exists already")
    return await User.create(
        email=address, role=role, password_hash=hash_password(password), display_name=display_name
    )


async def find_user(email: str) -> User | None:
    try:
        return await User.get_or_none(email=normalise_email(email))
    except UserError:
        return None


async def check_password(email: str, password: str) -> User | None:
    """The user these credentials sign in, or None; unknown emails take as long as known ones."""
    user = await find_user(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if user.disabled_at is not None:  # an admin disabled the account (web/routes/admin_users.py)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


async def set_password(user: User, password: str, *, keep: ConsoleSession | None = None) -> int:
    """Store a new password and end the user's sessions but `keep`; returns how many ended."""
    try:
        check_strength(password)
    except ValueError as error:
        raise UserError(str(error)) from None
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)
    await user.save(update_fields=["password_hash", "password_changed_at"])
    return await end_sessions_of(user.id, keep=keep)


async def set_role(user: User, role: str) -> None:
    user.role = check_role(role)
    await user.save(update_fields=["role"])
