"""Delivery settings: read from the params file beside the notebook parameters, never mixed in."""

from __future__ import annotations

import dataclasses

import pytest

from slanb.errors import SlanbError
from slanb.params import DELIVERY_KEYS, load_params
from slanb.publish.settings import DeliverySettings, load_settings

FILE = """\
db: data/acme.duckdb
revenue_goal: 50000
recipients:
  leadership: [ceo@acme.com]
  sales_managers: [vp@acme.com, ceo@acme.com]
smtp_host: mail.acme.com
smtp_user: slanb-bot
mail_from: sla@acme.com
"""


def test_the_params_file_keys_for_delivery_are_the_settings_fields():
    assert tuple(f.name for f in dataclasses.fields(DeliverySettings)) == DELIVERY_KEYS


def test_one_file_two_consumers(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(FILE, "utf-8")
    params, settings = load_params(path), load_settings(path)
    assert params.revenue_goal == 50_000.0
    assert not set(params.to_dict()) & set(DELIVERY_KEYS)
    assert settings.smtp_host == "mail.acme.com" and settings.smtp_user == "slanb-bot"
    assert settings.addresses == ("ceo@acme.com", "vp@acme.com")
    assert settings.groups_of() == {
        "ceo@acme.com": ("leadership", "sales_managers"),
        "vp@acme.com": ("sales_managers",),
    }


def test_settings_are_checked():
    assert DeliverySettings.from_mapping({"recipients": "a@b.co"}).addresses == ("a@b.co",)
    with pytest.raises(
        SlanbError, match="recipients must be an e-mail address like name@example.com, got 'bob'"
    ):
        DeliverySettings.from_mapping({"recipients": ["bob"]})
    with pytest.raises(SlanbError, match="smtp_starttls must be true or false"):
        DeliverySettings.from_mapping({"smtp_starttls": "yes"})
    with pytest.raises(SlanbError, match="smtp_password must not be in a params file"):
        DeliverySettings.from_mapping({"smtp_password": "hunter2"})
    with pytest.raises(SlanbError, match="unknown delivery setting.*revenue_goal"):
        DeliverySettings.from_mapping({"revenue_goal": 1})
