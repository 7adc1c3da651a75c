"""Proxies: a voter signs one online for another voter of the same assembly; revocable until
the vote opens; the statutes' maximum per holder is checked under the holder's row lock."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User

from ..models import Assembly, Proxy, Voter


def _before_vote(assembly: Assembly, now: datetime) -> None:
    if not assembly.before_vote(now):
        raise Conflict(
            _("Proxies can be given or revoked only until the vote opens."), code="proxy_closed"
        )


def proxy_sign(
    *, actor: User | None, grantor: Voter, holder_member_number: int, now: datetime | None = None
) -> Proxy:
    now = now or timezone.now()
    try:
        holder = Voter.objects.select_related("member").get(
            assembly_id=grantor.assembly_id, member__member_number=holder_member_number
        )
    except Voter.DoesNotExist:
        raise ValidationFailed(
            _("No member with that number is on the voters' list of this assembly."),
            field="holder",
        ) from None
    if holder.pk == grantor.pk:
        raise ValidationFailed(_("You cannot give a proxy to yourself."), field="holder")
    with transaction.atomic():
        assembly = (
            Assembly.objects.select_for_update()
            .select_related("statutes")
            .get(pk=grantor.assembly_id)
        )
        _before_vote(assembly, now)
        # Lock the holder: two grantors signing for the same holder at once queue here, so the
        # maximum cannot be exceeded by a race.
        holder = Voter.objects.select_for_update().get(pk=holder.pk)
        if Proxy.objects.filter(grantor=holder, revoked_at__isnull=True).exists():
            raise ValidationFailed(
                _("This member has given their own proxy and cannot hold one."), field="holder"
            )
        if Proxy.objects.filter(holder=grantor, revoked_at__isnull=True).exists():
            raise Conflict(
                _("You hold a proxy for this assembly: you cannot give yours."), code="holds_proxy"
            )
        held = Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count()
        maximum = assembly.statutes.proxy_max
        if held >= maximum:
            raise ValidationFailed(
                _("This member already holds %(n)s proxies, the most the statutes allow.")
                % {"n": maximum},
                field="holder",
            )
        try:
            with transaction.atomic():
                proxy = Proxy.objects.create(
                    assembly=assembly, grantor=grantor, holder=holder, signed_at=now
                )
        except IntegrityError:
            raise Conflict(
                _("You have already given a proxy: revoke it first."), code="proxy_exists"
            ) from None
        audit_log(
            actor=actor,
            action="governance.proxy.signed",
            target=proxy,
            entity=assembly.entity,
            data={
                "assembly": str(assembly.public_id),
                "grantor": str(grantor.member.public_id),
                "holder": str(holder.member.public_id),
            },
        )
    return proxy


def proxy_revoke(*, actor: User | None, proxy: Proxy, now: datetime | None = None) -> Proxy:
    now = now or timezone.now()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=proxy.assembly_id)
        _before_vote(assembly, now)
        proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.revoked_at is not None:
            raise Conflict(_("This proxy is already revoked."), code="proxy_revoked")
        proxy.revoked_at = now
        proxy.save(update_fields=["revoked_at", "updated_at"])
        audit_log(
            actor=actor,
            action="governance.proxy.revoked",
            target=proxy,
            entity=assembly.entity,
            data={"assembly": str(assembly.public_id)},
        )
    return proxy
