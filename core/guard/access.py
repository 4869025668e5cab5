"""Who may use the app, and which server paths a page may import. On a loopback address the app is its user's
own; served on any other address, anyone who reaches the port could import server files, launch training and
read every completion, so the app then needs a login: Streamlit's OIDC login (an [auth] section in
.streamlit/secrets.toml; needs Authlib) or a shared token ($YARDSTICK_TOKEN, or a file named by
$YARDSTICK_TOKEN_FILE). Path imports from the page are limited to $YARDSTICK_IMPORT_ROOTS (os.pathsep-separated;
default when served beyond loopback: $YARDSTICK_HOME and the shared data folder)."""
from __future__ import annotations

import hmac
import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

from yardstick import home
from yardstick.errors import BadInput

MIN_TOKEN = 16
LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(address: str | None) -> bool:
    """True for localhost and 127.0.0.0/8, ::1; an unset address is every interface (Streamlit's default)."""
    if not address:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def read_secrets(files: list[str]) -> dict[str, Any]:
    """Streamlit's secrets files (later ones win), read the way the app and _serve.py both need them."""
    secrets: dict[str, Any] = {}
    for file in files:
        try:
            secrets.update(tomllib.loads(Path(file).read_text()))
        except (OSError, ValueError):
            continue
    return secrets


def token() -> str | None:
    value = os.environ.get("YARDSTICK_TOKEN")
    if not value and os.environ.get("YARDSTICK_TOKEN_FILE"):
        try:
            value = Path(os.environ["YARDSTICK_TOKEN_FILE"]).read_text()
        except OSError:
            return None
    return value.strip() if value and value.strip() else None


def token_matches(given: str) -> bool:
    expected = token()
    return expected is not None and hmac.compare_digest(given.strip().encode(), expected.encode())


def oidc_providers(secrets: Mapping[str, Any]) -> list[str | None] | None:
    """The OIDC providers configured in secrets ([auth] itself is None, [auth.NAME] is NAME), or None."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    named = [name for name, value in auth.items() if isinstance(value, Mapping) and value.get("client_id")]
    return ([None] if auth.get("client_id") else []) + named or None


def method(secrets: Mapping[str, Any]) -> str | None:
    """"oidc", "token", or None when no login is configured."""
    return "oidc" if oidc_providers(secrets) else "token" if token() else None


def refusal(address: str | None, secrets: Mapping[str, Any]) -> str | None:
    """Why the app must not start on `address` with this configuration, or None when it may."""
    way = method(secrets)
    if way == "token" and len(token() or "") < MIN_TOKEN:
        return f"YARDSTICK_TOKEN is shorter than {MIN_TOKEN} characters; use e.g. `openssl rand -hex 16`."
    if way == "oidc":
        try:
            import authlib  # noqa: F401  (st.login needs it)
        except ImportError:
            return "[auth] is configured in secrets.toml but Authlib is not installed: pip install 'Authlib>=1.3.2'."
    if way is None and not is_loopback(address):
        return (f"Serving on {address or 'every interface'} lets anyone who reaches the port import server files, "
                "launch training and read every completion. Configure a login first: YARDSTICK_TOKEN (a shared "
                "token, at least 16 characters) or Streamlit's OIDC login ([auth] in .streamlit/secrets.toml). "
                "See the README, 'Serving a lab'.")
    return None


def import_roots(address: str | None) -> list[Path] | None:
    """Folders a page may import from (None: anywhere, the app's own user on loopback)."""
    raw = os.environ.get("YARDSTICK_IMPORT_ROOTS")
    if raw:
        return [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]
    if is_loopback(address):
        return None
    return [home.home().resolve(), home.shared_data().resolve()]


def importable(path: str, address: str | None) -> Path:
    """`path` if a page may import it (symbolic links resolved first), else a titled error."""
    target = Path(path).expanduser().resolve()
    roots = import_roots(address)
    if roots is not None and not any(target.is_relative_to(root) for root in roots):
        raise BadInput("Path not allowed", f"This app imports only from {', '.join(map(str, roots))} "
                       "($YARDSTICK_IMPORT_ROOTS). Copy the data there, or upload it.")
    return target
