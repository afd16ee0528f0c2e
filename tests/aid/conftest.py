"""Fixtures of the aid tests."""

from __future__ import annotations

import pytest

from .factories import aid_program, selected_group


@pytest.fixture
def goods_program(klungkung):
    return aid_program(klungkung)


@pytest.fixture
def group(goods_program):
    return selected_group(goods_program, name="Lontar Besang")


@pytest.fixture
def line(goods_program):
    return goods_program.budget_lines.get()
