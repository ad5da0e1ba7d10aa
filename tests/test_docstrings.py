"""Run the examples in every module's docstrings as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import slanb

MODULES = sorted(m.name for m in pkgutil.walk_packages(slanb.__path__, "slanb."))
WITH_EXAMPLES = {"slanb.money", "slanb.months", "slanb.engine.volume", "slanb.engine.goals"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    if name in WITH_EXAMPLES:
        assert result.attempted > 0
