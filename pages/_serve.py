"""Start the app: `python pages/_serve.py [streamlit options]` (what `make app` and the browser tests run).

Streamlit treats a `pages/` folder beside the main script as a v1 multipage app until some session has run
`st.navigation`, so a first visit by a deep link (/curves?run=…) would run that page file without app.py. This
marks the app as a v2 app before the server starts; everything else is plain `streamlit run app.py`.

It also refuses to serve beyond loopback without a login (core/access.py): on 0.0.0.0 or a LAN address anyone
who reaches the port could import server files, launch training and read every completion.
"""
import sys
from pathlib import Path

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
sys.path.insert(0, str(ROOT))

from yardstick.guard import access  # noqa: E402  (needs the repository on the path when run as a script)


def flag(args: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in Streamlit's command line, if given."""
    for i, arg in enumerate(args):
        if arg == f"--{name}" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return None


if __name__ == "__main__":
    args = sys.argv[1:]
    address = flag(args, "server.address") or config.get_option("server.address")
    files = flag(args, "secrets.files")
    secrets = access.read_secrets([files] if files else config.get_option("secrets.files"))
    refused = access.refusal(address, secrets)
    if refused:
        print(f"Yardstick will not start: {refused}", file=sys.stderr)
        sys.exit(2)
    from yardstick.jobs import scheduler
    scheduler.ensure()  # the run queue runs whether or not a browser is open
    PagesManager.uses_pages_directory = False
    sys.exit(cli.main(["run", str(APP), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                       *args]))
