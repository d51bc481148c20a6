"""Signing in, as a person does it, for tests of console pages.

`signed_in` makes a user of the role and signs in through the real sign-in form, so the
client holds a real session cookie; `form_token` reads a page's CSRF token as a browser
would find it in the form.
"""

from __future__ import annotations

import re

import httpx

from web.users import create_user

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_in(page: str) -> str:
    found = _TOKEN.search(page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, f"GET {path}: {page.status_code}"
    return token_in(page.text)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    """Post the sign-in form as a browser would: the token of the page, then the form."""
    token = await form_token(client, "/sign-in")
    return await client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": next_path},
    )


async def signed_in(
    client: httpx.AsyncClient, role: str = "admin", email: str | None = None
) -> str:
    email = email or f"{role}@example.com"
    await create_user(email, role, PASSWORD)
    answer = await sign_in(client, email)
    assert answer.status_code == 303, answer.text
    return email


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, page: str | None = None
) -> httpx.Response:
    """Post a console form with the CSRF token of the page it is on (`page`, else `path`)."""
    token = await form_token(client, page or path)
    return await client.post(path, data={**data, "csrf_token": token})
