"""Who may use a served app (core/access.py, pages/_login.py): which addresses count as the user's own machine,
when serving is refused, and what a visitor sees before logging in."""
from __future__ import annotations

import pytest
from conftest import REPO
from streamlit import config
from streamlit.testing.v1 import AppTest

from yardstick.errors import YardstickError
from yardstick.guard import access

OIDC = {"auth": {"redirect_uri": "http://lab:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
                 "client_secret": "secret", "server_metadata_url": "https://id.example/.well-known/openid-configuration"}}


@pytest.mark.parametrize("address, loopback", [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True),
                                               ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
                                               ("10.0.0.5", False), ("lab.example.org", False), (None, False)])
def test_loopback_addresses(address, loopback):
    assert access.is_loopback(address) is loopback


def test_refusal_needs_a_login_beyond_loopback(monkeypatch):
    assert access.refusal("localhost", {}) is None
    assert "Configure a login first" in access.refusal("0.0.0.0", {})
    monkeypatch.setenv("YARDSTICK_TOKEN", "0123456789abcdef")
    assert access.refusal("0.0.0.0", {}) is None and access.token_matches("0123456789abcdef ")
    assert not access.token_matches("0123456789abcdeF")
    monkeypatch.delenv("YARDSTICK_TOKEN")
    assert access.method(OIDC) == "oidc" and access.oidc_providers(OIDC) == [None]
    named = {"auth": {"redirect_uri": "u", "cookie_secret": "s", "google": {"client_id": "g"}}}
    assert access.oidc_providers(named) == ["google"]


def test_a_served_app_imports_only_from_its_roots(tmp_path, isolated_env, monkeypatch):
    isolated_env.mkdir(parents=True)
    inside = isolated_env / "mine.jsonl"
    assert access.importable(str(inside), "0.0.0.0") == inside.resolve()
    assert access.importable("/etc/hostname", "localhost")  # the user's own machine: anywhere
    with pytest.raises(YardstickError, match="Path not allowed"):
        access.importable("/etc/hostname", "0.0.0.0")
    monkeypatch.setenv("YARDSTICK_IMPORT_ROOTS", str(tmp_path / "allowed"))
    with pytest.raises(YardstickError, match="Path not allowed"):
        access.importable(str(tmp_path / "allowed-not"), "localhost")  # a prefix of the name is not inside


def test_oidc_visitor_sees_only_the_login_button(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://lab:8501/oauth2callback"\ncookie_secret = "' + "x" * 32 +
                       '"\nclient_id = "id"\nclient_secret = "s"\n'
                       'server_metadata_url = "https://id.example/.well-known/openid-configuration"\n')
    previous = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(secrets)])
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        at.user = {"is_logged_in": False}  # a visitor who has not logged in with the provider
        at.run()  # (AppTest.switch_page runs a page file without app.py; deep links: the browser test)
    finally:
        config.set_option("secrets.files", previous)
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert [t.value for t in at.title] == ["📏 Yardstick"] and not at.multiselect and not at.dataframe
