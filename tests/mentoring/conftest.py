from __future__ import annotations

import pytest

from .factories import assign, mentoring_program, selected_group


@pytest.fixture
def mprogram(klungkung):
    return mentoring_program(klungkung)


@pytest.fixture
def mgroup(mprogram, mentor, officer):
    group = selected_group(mprogram)
    assign(group, mentor, officer)
    return group
