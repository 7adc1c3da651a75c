import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("language", "heading", "figure"),
    [
        ("nl", "Werk vrij", "27.268"),
        ("fr", "Travaillez librement", "27\u00a0268"),
        ("en", "Work freely", "27,268"),
        ("de", "Frei arbeiten", "27.268"),
    ],
)
@pytest.mark.django_db
def test_the_landing_page_speaks_each_language_with_its_number_format(language, heading, figure):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert heading in response.text
    assert figure in response.text


@pytest.mark.django_db
def test_the_landing_page_shows_the_fee_and_share_price_of_the_pack():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert "6.5\u00a0%" in response.text
    assert "€30.00" in response.text
