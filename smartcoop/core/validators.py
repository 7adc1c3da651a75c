"""Field validators for identifiers and bank details, backed by python-stdnum and schwifty.

Identifiers are validated for the deployment's country (its pack); each error message says what is
wrong so a person can fix it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)

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


def _iban_error(exc: SchwiftyException) -> str:
    """What is wrong with an IBAN, in the reader's language (schwifty's reasons are English)."""
    if isinstance(exc, InvalidChecksumDigits | InvalidBBANChecksum):
        return _("This IBAN is not valid: its check digits do not match. Check it for a typo.")
    if isinstance(exc, InvalidLength):
        return _("This IBAN is not valid: it has the wrong number of characters for its country.")
    if isinstance(exc, InvalidCountryCode):
        return _("This IBAN is not valid: it must start with a country code, such as BE or FR.")
    if isinstance(exc, InvalidStructure):
        return _("This IBAN is not valid: it contains characters that do not belong there.")
    return _("This IBAN is not valid. Copy it from a bank statement.")


def clean_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValidationError(_iban_error(exc), code="invalid_iban") from None


def validate_iban(value: str) -> None:
    clean_iban(value)


def clean_bic(value: str) -> str:
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        if isinstance(exc, InvalidLength):
            message = _("This BIC is not valid: a BIC has 8 or 11 characters.")
        elif isinstance(exc, InvalidCountryCode):
            message = _("This BIC is not valid: its 5th and 6th letters must be a country code.")
        else:
            message = _("This BIC is not valid. Copy it from a bank statement, or leave it empty.")
        raise ValidationError(message, code="invalid_bic") from None


def validate_bic(value: str) -> None:
    clean_bic(value)


# --- Text a person types: names, titles, descriptions ---------------------------------------------
# A control character (NUL, a newline in a name, an escape...) in a one-line text breaks what is
# built from it later (an e-mail header, a PDF, a UBL file, a CSV cell), long after the form said
# yes. So one-line texts refuse them at input (model field validators, picked up by every ModelForm
# and ModelSerializer, and called by the services for the rest); multi-line texts keep newlines and
# tabs only.


def _control_characters(value: str, *, allowed: str = "") -> list[str]:
    import unicodedata

    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in value
            if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")
        }
    )


def validate_single_line(value: str) -> None:
    """No control characters and no line breaks (names, titles, subjects, line descriptions)."""
    if not isinstance(value, str):
        return
    found = _control_characters(value)
    if found:
        raise ValidationError(
            _(
                "This text must fit on one line: remove the line breaks and control characters "
                "(%(found)s)."
            )
            % {"found": ", ".join(found)},
            code="control_characters",
        )


def validate_multi_line(value: str) -> None:
    """Line breaks and tabs are fine (notes, messages); other control characters are not."""
    if not isinstance(value, str):
        return
    found = _control_characters(value, allowed="\n\r\t")
    if found:
        raise ValidationError(
            _("This text contains control characters (%(found)s): remove them.")
            % {"found": ", ".join(found)},
            code="control_characters",
        )


def single_line(value: str) -> str:
    """`value` as one line: control characters and runs of white space become one space.
    For text received from another system (a bank file, an e-mail) that cannot be sent back."""
    import unicodedata

    return " ".join(
        "".join(
            " " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in value
        ).split()
    )


# --- Numbers beyond what the columns hold ----------------------------------------------------------
# Money columns are DecimalField(max_digits=14, decimal_places=2): below 10^12.
MONEY_LIMIT = 10**12


def validate_money_fits(value) -> None:
    """An amount the money columns can store exactly: finite, at most 2 decimals, below 10^12."""
    from decimal import Decimal

    if value is None:
        return
    amount = Decimal(value) if not isinstance(value, Decimal) else value
    if not amount.is_finite():
        raise ValidationError(_("This is not an amount."), code="not_finite")
    if abs(amount) >= MONEY_LIMIT:
        raise ValidationError(
            _("The amount must be below %(limit)s.") % {"limit": "1 000 000 000 000"},
            code="too_large",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("An amount has at most 2 decimals (cents); %(value)s has more.") % {"value": amount},
            code="too_precise",
        )


def check_texts(*, multi_line: tuple[str, ...] = (), **values: str | None) -> None:
    """For services: each keyword is a field name and its text; the first text with control
    characters (or line breaks, unless its name is in `multi_line`) raises ValidationFailed at
    that field. Forms and the API show it at the field like any other service error."""
    from .errors import ValidationFailed

    for name, value in values.items():
        try:
            (validate_multi_line if name in multi_line else validate_single_line)(value or "")
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], field=name, code=exc.code) from None


def check_text(field: str, value: str | None, *, multi_line: bool = False) -> None:
    """`check_texts` for one field whose name is data (a form's or an API's)."""
    check_texts(multi_line=(field,) if multi_line else (), **{field: value})


def check_money_fits(field: str, value) -> None:
    """ValidationFailed at `field` when `value` cannot be stored exactly in a money column."""
    from .errors import ValidationFailed

    try:
        validate_money_fits(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field=field, code=exc.code) from None


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 country code that exists."""
    import pycountry

    if value and pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            _("%(code)s is not a country code (ISO 3166-1, two letters such as BE).")
            % {"code": value[:10]},
            code="unknown_country",
        )
