"""What only the web layer owns: API keys, the console's users and their sessions, the audit log."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    """Only a SHA-256 of each key is kept: keys carry 192 random bits, so no slow hash is needed."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    #: Who created the key: the admin's email, or "cli:<os user>" for `touchpoint apikeys`.
    created_by = fields.CharField(max_length=254, null=True)
    #: Whether the key may read the audit log (keys that only send events need not).
    reads_audit = fields.BooleanField(default=False)

    class Meta:
        app = "web"
        table = "api_key"


class User(Model):
    """A person who signs in to the console, with a role that decides what they may do there.

    The email is stored lower-cased, so it is the sign-in name whatever case is typed.
    """

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=100, default="")
    role = fields.CharField(max_length=20)
    password_hash = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)
    #: Set while an admin has disabled the account: it cannot sign in, its sessions ended.
    disabled_at = fields.DatetimeField(null=True)

    class Meta:
        app = "web"
        table = "console_user"


class ConsoleSession(Model):
    """A signed-in browser. The cookie carries a random token and only its SHA-256 is kept
    here, so the table read by someone else signs nobody in. Ending stamps `ended_at`.
    """

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "web.User", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    address = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")

    class Meta:
        app = "web"
        table = "console_session"


class AuditEvent(Model):
    """Who did what, when and from where: one row per change a team member may be asked about.

    Append-only: nothing in the code updates or deletes a row. The actor is kept as a kind, an
    id and a label (an email, a key's name, a phone), so the row still reads when the user or
    key is gone. No password or key is ever stored here (`web.audit` refuses them).
    """

    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    #: user, api_key, system, customer or anonymous (a failed sign-in).
    actor_kind = fields.CharField(max_length=16)
    #: The user's or the API key's id.
    actor_id = fields.IntField(null=True)
    #: The user's email, the key's name, the customer's phone, or "cli:<os user>".
    actor_label = fields.CharField(max_length=254, default="")
    #: Dotted, such as sign_in.failed or opt_out.lifted.
    action = fields.CharField(max_length=64, db_index=True)
    #: What was acted on: an email, a key's name and id, an address, a journey's key.
    target = fields.CharField(max_length=300, default="")
    detail = fields.JSONField(null=True)
    client_address = fields.CharField(max_length=64, null=True)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        app = "web"
        table = "audit_event"
