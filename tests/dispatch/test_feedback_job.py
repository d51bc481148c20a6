"""The worker analyses customers' comments: kicked by the web process after an answer, on
its cron otherwise; the survey pages never load the segmenter."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from arq.jobs import Job, JobStatus

from dispatch.feedback_job import KICK_JOB_ID, analyse_feedback, kick
from surveys.models import Answer, AnswerTheme
from tests.stories import run_worker_until_idle, sent_invitation
from tests.surveys.factories import create_journey
from tests.surveys.feedback_cases import FEEDBACK_STORE, commented

MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)


async def themes_of(answer_id: int) -> list[str]:
    return sorted(await AnswerTheme.filter(answer_id=answer_id).values_list("theme", flat=True))


async def test_a_kick_queues_one_analysis(runtime):
    await kick(runtime.redis)
    await kick(runtime.redis)

    assert await Job(KICK_JOB_ID, runtime.redis).status() == JobStatus.queued
    assert await runtime.redis.zcard("arq:queue") == 1


async def test_the_worker_picks_up_the_kick_and_analyses_the_comment(runtime):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    answer = await commented(order, "The courier lost my parcel", answered_at=MID_Q3, nps=1)
    await kick(runtime.redis)

    await run_worker_until_idle(runtime)

    assert await Job(KICK_JOB_ID, runtime.redis).status() == JobStatus.not_found
    analysed = await Answer.get(id=answer.id)
    assert analysed.analysed is not None and analysed.sentiment is not None
    assert await themes_of(answer.id) == ["delivery"]


async def test_a_run_works_off_every_pending_comment_in_batches(runtime):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    for n in range(7):
        await commented(order, f"Parcel number {n} was late", answered_at=MID_Q3, nps=3)

    assert await analyse_feedback(runtime.worker_context()) == 7
    assert await analyse_feedback(runtime.worker_context()) == 0


async def test_an_answer_posted_on_the_survey_page_ends_with_its_themes(
    client, api_key, shop_journey, runtime
):
    invitation = await sent_invitation(client, api_key)

    posted = await client.post(
        f"/s/{invitation.token}",
        data={"nps": "3", "csat": "2", "comment": "The delivery was late and the courier rude"},
    )
    assert posted.status_code == 303
    assert await Job(KICK_JOB_ID, runtime.redis).status() == JobStatus.queued
    assert (await Answer.get(invitation_id=invitation.id)).analysed is None

    await run_worker_until_idle(runtime)

    answer = await Answer.get(invitation_id=invitation.id)
    assert answer.sentiment == "negative"
    assert "delivery" in await themes_of(answer.id)


def test_the_web_process_never_loads_the_segmenter():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, web.app, web.announce, dispatch.worker\n"
            "jieba = sys.modules.get('jieba')\n"
            "print(bool(jieba and jieba.dt.initialized))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
