"""Indicator engine, peer benchmark and signals: the monitor's core.

Definitions are data (catalogue.toml, domeinen.toml, peergroepen.toml, signalen.toml); values are
computed in one DuckDB pass and cached next to the warehouse. Analysts and the web app use
:mod:`schouders.indicators.api`; the command line lives in :mod:`schouders.indicators.cli`.
"""
