"""The legal wording printed on invoices and reminder letters.

Which rule applies is data: the country pack's dated `invoice_mentions` and `reminder_mentions`
name a wording key, and the figures (rates, indemnities, caps) come from dated parameters. The
wording itself is translated text, kept here so that every country's sentences sit side by side.
Call these inside `translation.override(<client language>)`: numbers are formatted for it."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartcoop.core.money import format_money, format_percent

# --- On the invoice ---------------------------------------------------------------------------


def late_payment_mention(key: str, *, rate: Decimal, indemnity: Decimal) -> str:
    """The late-payment sentence every invoice must carry (`invoice_mentions.late_payment*`)."""
    figures = {"rate": format_percent(rate), "indemnity": format_money(indemnity)}
    if key == "fr_penalties_and_indemnity":
        return (
            _(
                "Late-payment penalties at %(rate)s per year and a fixed recovery indemnity of "
                "%(indemnity)s are due from the day after the due date (C. com. L441-10, D441-5)."
            )
            % figures
        )
    if key == "b2b_interest_and_indemnity":
        return (
            _(
                "Any amount unpaid on the due date bears, without prior notice, late-payment "
                "interest at %(rate)s per year and a fixed indemnity of %(indemnity)s for "
                "recovery costs (Law of 2 August 2002)."
            )
            % figures
        )
    if key == "fr_consumer_legal_interest_after_notice":
        return _(
            "In case of late payment you will first receive free reminders; interest at the "
            "legal rate runs only from a formal notice (Civil Code art. 1231-6)."
        )
    return _("In case of late payment you will first receive a free reminder.")


# --- On reminder letters ----------------------------------------------------------------------


def reminder_paragraphs(
    key: str,
    *,
    level: str,
    rate: Decimal,
    interest: Decimal,
    indemnity: Decimal,
    damages: Decimal,
    costs: Decimal,
) -> list[str]:
    """The legal paragraphs of one reminder letter (and its e-mail), by the pack's wording key
    (`reminder_mentions.business|consumer`) and the level sent: first_reminder, second_reminder
    or formal_notice. `damages` is the most a consumer may be charged later (shown on the free
    first reminder, as Belgian law requires); `costs` what this letter actually claims."""
    figures = {
        "rate": format_percent(rate),
        "interest": format_money(interest),
        "indemnity": format_money(indemnity),
        "damages": format_money(damages),
        "costs": format_money(costs),
    }
    notice = level == "formal_notice"
    if key == "be_b2b":
        if notice:
            return [
                _(
                    "This letter is a formal notice to pay. We claim the amount due, late-payment "
                    "interest at %(rate)s per year from the due date (%(interest)s to date) and "
                    "the fixed indemnity of %(indemnity)s (Law of 2 August 2002, art. 5 and 6)."
                )
                % figures,
                _(
                    "Without payment within 15 days the file will be handed over for collection, "
                    "at your expense within the limits of the law."
                ),
            ]
        return [
            _(
                "As stated on the invoice, late-payment interest runs from the due date at the "
                "legal rate, %(rate)s per year on the date of this letter (%(interest)s to "
                "date), and a fixed indemnity of %(indemnity)s is due (Law of 2 August 2002). "
                "We will not claim them if you pay now."
            )
            % figures
        ]
    if key == "be_consumer":
        if level == "first_reminder":
            return [
                _(
                    "This first reminder is free of charge. You have 14 calendar days from the "
                    "day after this reminder was sent to pay. Without payment in that period we "
                    "may claim damages of at most %(damages)s (Code of Economic Law, art. XIX.2 "
                    "and XIX.4)."
                )
                % figures
            ]
        if notice:
            return [
                _(
                    "This letter is a formal notice to pay. The free reminder period has ended; "
                    "we claim the amount due and damages of %(costs)s, within the legal limits "
                    "(Code of Economic Law, art. XIX.4)."
                )
                % figures
            ]
        return [_("No costs are charged for this reminder.")]
    if key == "fr_b2b":
        if notice:
            return [
                _(
                    "This letter is a formal notice to pay. We claim the amount due, late-payment "
                    "penalties at %(rate)s per year from the day after the due date (%(interest)s "
                    "to date) and the fixed recovery indemnity of %(indemnity)s (C. com. L441-10 "
                    "and D441-5)."
                )
                % figures
            ]
        return [
            _(
                "Late-payment penalties run from the day after the due date, at %(rate)s per "
                "year on the date of this letter (%(interest)s to date), and the fixed recovery "
                "indemnity of %(indemnity)s is due (C. com. L441-10, D441-5)."
            )
            % figures
        ]
    if key == "fr_consumer":
        if notice:
            return [
                _(
                    "This letter is a formal notice to pay (Civil Code art. 1344). From its date, "
                    "interest at the legal rate of %(rate)s per year runs on the amount due "
                    "(Civil Code art. 1231-6)."
                )
                % figures,
                _(
                    "No collection costs are charged to you (Code of civil enforcement "
                    "procedures, art. L111-8)."
                ),
            ]
        return [_("No costs are charged for this reminder.")]
    return [_("This letter is a formal notice to pay.")] if notice else []


# --- Who issues: register and capital (every document of the entity) -------------------------


def register_mention(key: str, *, court: str, court_names: dict | None = None) -> str:
    """The register the entity is entered in, with its court or city (`invoice_mentions.register`
    names the register; the court is entity data):

    - "RPR/RPM" (Belgium, Code of Companies and Associations art. 2:20): the legal-entities
      register and the enterprise court of the registered office, written in the document's
      language — "RPR Brussel", "RPM Bruxelles", "RJP Brüssel" (`register_court_names` gives the
      court's name in each language);
    - "RCS" (France, C. com. R123-237): "RCS" and the city of the registry, "RCS Paris".

    Empty when the entity has no court on file."""
    court = court.strip()
    if not key or not court:
        return ""
    if key == "RPR/RPM":
        language = (translation.get_language() or "en")[:2]
        names = (court_names or {}).get(court) or {}
        # Translators: the abbreviation of the Belgian register of legal entities (RPR in Dutch,
        # RPM in French, RJP in German).
        abbreviation = pgettext("register of legal entities", "RLE")
        return f"{abbreviation} {names.get(language, court)}"
    return f"{key} {court}"


def capital_mention(key: str, *, share_capital: Decimal | None, variable: bool) -> str:
    """The capital of a company whose documents must state it (`invoice_mentions.capital`,
    France: C. com. R123-238 for the amount, L231-2 for "à capital variable")."""
    if key != "fr_share_capital":
        return ""
    if variable:
        return _("with variable capital")
    if share_capital:
        return _("with a share capital of %(amount)s") % {"amount": format_money(share_capital)}
    return ""


def early_payment_discount_mention(key: str) -> str:
    """The early-payment discount terms a business invoice must state (`invoice_mentions.
    early_payment_discount`, France: C. com. L441-9), "none" included."""
    if key == "fr_no_discount":
        return _("No discount for early payment.")
    return ""


def fr_einvoice_notes(*, business: bool, rate: Decimal, indemnity: Decimal) -> dict[str, str]:
    """The three subject-coded notes French e-invoices must carry (BR-FR-05): late-payment
    penalties (PMD), the fixed recovery indemnity (PMT) and the early-payment discount (AAB)."""
    figures = {"rate": format_percent(rate), "indemnity": format_money(indemnity)}
    if business:
        penalties = (
            _(
                "Late-payment penalties at %(rate)s per year are due from the day after the due "
                "date (C. com. L441-10)."
            )
            % figures
        )
        recovery = (
            _(
                "A fixed indemnity of %(indemnity)s for recovery costs is due for any late "
                "payment (C. com. L441-10, D441-5)."
            )
            % figures
        )
    else:
        penalties = late_payment_mention(
            "fr_consumer_legal_interest_after_notice", rate=rate, indemnity=indemnity
        )
        recovery = _("No fixed recovery indemnity is charged to consumers.")
    return {
        "PMD": penalties,
        "PMT": recovery,
        "AAB": early_payment_discount_mention("fr_no_discount"),
    }


# --- France, from 1 September 2026: the reform's four extra mentions -------------------------


def operation_category_mention(key: str, *, category: str) -> str:
    """The category of the operation (`invoice_mentions.operation_category`, France: CGI ann. II
    art. 242 nonies A as amended for the e-invoicing reform): goods, services or both."""
    if key != "fr_operation_category":
        return ""
    texts = {
        "services": _("Category of the operation: provision of services."),
        "goods": _("Category of the operation: delivery of goods."),
        "mixed": _("Category of the operation: delivery of goods and provision of services."),
    }
    return texts.get(category, texts["services"])


def vat_on_debits_mention(key: str, *, opted: bool) -> str:
    """`invoice_mentions.vat_on_debits`: the words the law asks for when the issuer opted to pay
    VAT on its services when invoiced rather than when paid (France: "Option pour le paiement de
    la taxe d'après les débits"). Nothing when it did not opt."""
    if key != "fr_vat_on_debits" or not opted:
        return ""
    return _("Option for the payment of the tax on debits.")
