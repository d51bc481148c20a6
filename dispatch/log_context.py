"""What a worker's log lines are about: the invitation (and follow-up case) a job is sending.

A job sets it first thing; every line the job logs then carries it (web/logs.py adds it to
each record), so an operator finds one invitation's whole story with one query. arq runs
each job in a task of its own, and a task's context variables end with it, so nothing is
reset by hand.
"""

from __future__ import annotations

from contextvars import ContextVar

invitation_id: ContextVar[int | None] = ContextVar("invitation_id", default=None)
case_id: ContextVar[int | None] = ContextVar("case_id", default=None)


def about_invitation(invitation: int) -> None:
    """The lines logged from here on, in this job, are about this invitation."""
    invitation_id.set(invitation)


def about_case(case: int) -> None:
    """The lines logged from here on, in this job, are about this follow-up case."""
    case_id.set(case)
