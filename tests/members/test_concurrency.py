"""Confirmations racing each other: member numbers stay unique and gap-free, and a payment is
registered once even when two people click at the same moment."""

import threading
from datetime import date

import pytest
from django.db import connection

from members import services
from members.models import Member, RegisterEntry
from smartcoop.core.errors import Conflict
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # reported to the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # A thread still running would keep querying (and its connection open) while the test
    # database is flushed.
    assert not [thread for thread in threads if thread.is_alive()], "a call did not finish in 30 s"
    return outcomes


def test_parallel_confirmations_give_distinct_gap_free_member_numbers(coop, accountant):
    subscriptions = [
        services.share_subscribe(member=MemberFactory(), actor=None, shares=1) for _ in range(6)
    ]
    outcomes = run_together(
        *[
            (
                lambda s=s: services.share_payment_confirm(
                    subscription=s, actor=accountant, paid_on=date(2026, 11, 20)
                )
            )
            for s in subscriptions
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    numbers = sorted(Member.objects.values_list("member_number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_the_same_payment_confirmed_twice_at_once_is_registered_once(coop, accountant, applicant):
    subscription = services.share_subscribe(member=applicant, actor=None, shares=1)

    def confirm():
        return services.share_payment_confirm(
            subscription=subscription, actor=accountant, paid_on=date(2026, 11, 20)
        )

    outcomes = run_together(confirm, confirm)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert RegisterEntry.objects.count() == 1
