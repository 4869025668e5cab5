"""The gate in front of every page (app.py calls it before running one): a login when one is configured, and a
refusal to show anything when the app is served beyond loopback without one (core/access.py says why)."""
from __future__ import annotations

import streamlit as st

from yardstick.guard import access

AUTHED = "yardstick-authenticated"


def address() -> str | None:
    return st.get_option("server.address")


def _secrets() -> dict:
    return access.read_secrets(st.get_option("secrets.files"))


def allowed() -> bool:
    """May this session see the pages?"""
    secrets = _secrets()
    way = access.method(secrets)
    if way == "oidc":
        return bool(st.user.is_logged_in)
    if way == "token":
        return bool(st.session_state.get(AUTHED))
    return access.refusal(address(), secrets) is None


def login_page() -> None:
    """What a visitor who is not in sees: a login, or why the app shows nothing."""
    st.title("📏 Yardstick")
    secrets = _secrets()
    way = access.method(secrets)
    if way == "oidc":
        for provider in access.oidc_providers(secrets) or []:
            st.button(f"Log in with {provider}" if provider else "Log in", on_click=st.login,
                      args=(provider,) if provider else ())
    elif way == "token":
        with st.form("login"):
            given = st.text_input("Access token", type="password")
            if st.form_submit_button("Enter"):
                if access.token_matches(given):
                    st.session_state[AUTHED] = True
                    st.rerun()
                st.error("That is not the access token.")
    else:
        st.error("This app is served without a login")
        st.text(access.refusal(address(), secrets) or "")
