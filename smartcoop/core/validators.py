"""Field validators for identifiers and bank details, backed by python-stdnum and schwifty.

Identifiers are validated for the deployment's country (its pack); each error message says what is
wrong so a person can fix it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from smartcoop.countries import IdentifierKind, current_pack


def clean_identifier(kind: IdentifierKind, value: str) -> str:
    """The compact form of `value`, or ValidationError with a message naming the identifier."""
    identifier = current_pack().identifier(kind)
    if identifier is None:
        return value.strip()
    try:
        return identifier.validate(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_" + kind.value) from None


def validate_national_number(value: str) -> None:
    clean_identifier(IdentifierKind.NATIONAL_NUMBER, value)


def validate_enterprise_number(value: str) -> None:
    clean_identifier(IdentifierKind.ENTERPRISE_NUMBER, value)


def validate_vat_number(value: str) -> None:
    clean_identifier(IdentifierKind.VAT_NUMBER, value)


def validate_employer_number(value: str) -> None:
    clean_identifier(IdentifierKind.EMPLOYER_NUMBER, value)


def clean_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValidationError(
            _("This IBAN is not valid (%(reason)s).") % {"reason": str(exc).rstrip(".")},
            code="invalid_iban",
        ) from None


def validate_iban(value: str) -> None:
    clean_iban(value)


def clean_bic(value: str) -> str:
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise ValidationError(
            _("This BIC is not valid (%(reason)s).") % {"reason": str(exc).rstrip(".")},
            code="invalid_bic",
        ) from None


def validate_bic(value: str) -> None:
    clean_bic(value)
