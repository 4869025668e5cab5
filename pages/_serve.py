"""Start the app: `python pages/_serve.py [streamlit options]` (what `make app` and the browser tests run).

Streamlit treats a `pages/` folder beside the main script as a v1 multipage app until some session has run
`st.navigation`, so a first visit by a deep link (/curves?run=…) would run that page file without app.py. This
marks the app as a v2 app before the server starts; everything else is plain `streamlit run app.py`.
"""
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"

if __name__ == "__main__":
    from core import scheduler

    scheduler.ensure()  # the run queue runs whether or not a browser is open
    PagesManager.uses_pages_directory = False
    sys.exit(cli.main(["run", str(APP), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                       *sys.argv[1:]]))
