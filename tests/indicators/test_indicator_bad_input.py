"""Bad input gives a clear Dutch SchoudersError, never a traceback or a partial result."""

from __future__ import annotations

import pytest

from schouders.config import Settings
from schouders.errors import SchoudersError, UnknownMunicipalityError
from schouders.indicators import api


def test_unknown_indicator_suggests_a_code(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="Onbekende indicator: 'overhead'") as error:
        api.indicator_values(settings, ["overhead"])
    assert "overhead_pct" in str(error.value)
    with pytest.raises(SchoudersError, match="Onbekende indicator"):
        api.indicator_definition("bestaat_niet")


def test_year_without_data(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="Geen begroting 2030 van GM0677") as error:
        api.profile(settings, "GM0677", 2030, "begroting")
    assert "2017–2026" in str(error.value)
    with pytest.raises(SchoudersError, match="Geen jaarrekening 2025"):
        api.profile(settings, "GM0677", 2025, "jaarrekening")
    with pytest.raises(SchoudersError, match="Geen indicatorwaarden voor 2031"):
        api.indicator_values(settings, ["overhead_pct"], jaar=2031)


def test_peer_group_smaller_than_five(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="telt maar 4 gemeenten") as error:
        api.profile(settings, "GM0363", 2024, "jaarrekening", peer_group="grootteklasse")
    assert "minstens 5" in str(error.value)
    with pytest.raises(SchoudersError, match="telt maar 4 gemeenten"):
        api.profile(settings, "GM0363", 2024, "jaarrekening", peer_group="G4")
    with pytest.raises(SchoudersError, match="telt maar 2 gemeenten"):
        api.profile(settings, "GM0677", 2024, "jaarrekening", peer_group=["GM0678"])


def test_empty_or_unknown_peer_group(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="lijst met peergemeenten is leeg"):
        api.profile(settings, "GM0677", 2024, "jaarrekening", peer_group=[])
    with pytest.raises(SchoudersError, match="Onbekende peergroep 'G40'") as error:
        api.profile(settings, "GM0677", 2024, "jaarrekening", peer_group="G40")
    assert "casusgemeenten 2020" in str(error.value)


def test_default_peers_fall_back_to_neighbours_for_the_largest_cities(
        settings: Settings) -> None:
    result = api.profile(settings, "Amsterdam", 2024, "jaarrekening")
    assert result.peergroep == "knn"
    assert "telt maar 4 gemeenten" in result.toelichting[0]


def test_unknown_document_and_municipality(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="Onbekend document 'rekening'"):
        api.profile(settings, "GM0677", 2024, "rekening")
    with pytest.raises(UnknownMunicipalityError):
        api.profile(settings, "Atlantis", 2024, "jaarrekening")


def test_signals_for_a_year_without_data(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="Geen begroting 2030 in de gegevens") as error:
        api.signals(settings, jaar=2030, document="begroting")
    assert "2017–2026" in str(error.value)
    with pytest.raises(SchoudersError, match="Geen jaarrekening 2010 van GM0677") as error:
        api.signals(settings, "GM0677", jaar=2010)
    assert "2017–2024" in str(error.value)


def test_a_name_read_as_another_municipality_is_said_out_loud(settings: Settings) -> None:
    typo = api.profile(settings, "Enkhuisen", 2024, "jaarrekening")
    assert (typo.naam, typo.gm_code) == ("Enkhuizen", "GM0388")
    assert typo.toelichting[0] == "'Enkhuisen' opgevat als Enkhuizen (GM0388)."
    # a name that is only vaguely like one is not silently taken for it: the user is asked
    with pytest.raises(SchoudersError, match="Onbekende gemeente") as error:
        api.profile(settings, "Nergenshuizen", 2024, "jaarrekening")
    assert "Enkhuizen (GM0388)" in str(error.value.hint)
    exact = api.profile(settings, "hulst", 2024, "jaarrekening")
    assert not any("opgevat als" in note for note in exact.toelichting)
