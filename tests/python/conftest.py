"""Shared fixtures: small valid tables that each test breaks in one way."""

from __future__ import annotations

import os
import sys

import polars as pl
import pytest


@pytest.fixture
def employees() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "study": ["acme"] * 6,
            "unit": ["north", "north", "north", "south", "south", "south"],
            "employee_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
            "customer_facing": [True, False, True, False, True, False],
            "engagement": [55.0, 70.0, 61.5, 48.0, 66.0, 72.0],
            "asked_about_customers": ["never", "yearly", "never", "rarely", "never", "several_per_year"],
        }
    )


@pytest.fixture
def customers() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "study": ["acme"] * 5,
            "unit": ["north", "north", "south", "south", "south"],
            "customer_id": ["c1", "c2", "c3", "c4", "c5"],
            "satisfaction": [8.0, 6.0, 9.0, 10.0, 3.0],
        }
    )


@pytest.fixture
def mentions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "study": ["acme"] * 3,
            "side": ["customer", "employee", "customer"],
            "respondent_id": ["c1", "e2", "c4"],
            "theme": ["same advisor", "same advisor", "waiting time"],
            "valence": ["positive", "positive", "negative"],
        }
    )


# Let the test modules import their shared helpers (`_support`) under --import-mode=importlib.
sys.path.insert(0, os.path.dirname(__file__))
