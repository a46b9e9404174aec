"""`reportparse serve`: a local web application for the people who audit the reports.

Starlette on uvicorn (the `serve` extra). Modules by what they do: `settings` (what the server
was started with, where its data lives), `security` (token, Host check, CSRF, headers),
`uploads` (files and zips under generated names), `jobs` (batches run in the background by
`reportparse.audit`), `views` (a batch with the review decisions as they are now), `pages` and
`report_page` (the HTML), `routes` (the handlers); `static/` holds the page's CSS and script.
Nothing here is imported by the rest of the package but `cli/serve.py`. See docs/serve.md.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..history import HistoryError
from ..render.html_out import GRID_CSS
from .jobs import Jobs
from .pages import message_page
from .routes import App
from .security import Guard
from .settings import Settings, default_data_dir, startup_problem

STATIC = Path(__file__).parent / "static"


async def _store_problem(request: Request, err: Exception) -> Response:
    """A store that cannot be used (locked too long, damaged): said on the page, not a traceback."""
    return HTMLResponse(message_page("历史库无法使用", str(err)), status_code=503)


async def _grid_css(request: Request) -> Response:
    """The tables' and highlighted cells' styles, the same as the static HTML page's."""
    return Response(GRID_CSS, media_type="text/css")


def create_app(settings: Settings, jobs: Jobs | None = None) -> Starlette:
    """The ASGI application (the batches of `jobs`, by default those found in the data folder)."""
    settings.data.mkdir(parents=True, exist_ok=True)
    jobs = jobs or Jobs(settings)
    app = App(settings, jobs)
    routes = [
        Route("/", app.home),
        Route("/upload", app.upload, methods=["POST"]),
        Route("/batch/{batch}", app.batch),
        Route("/batch/{batch}/progress", app.progress),
        Route("/batch/{batch}/rerun", app.rerun, methods=["POST"]),
        Route("/batch/{batch}/report/{index:int}", app.report),
        Route("/batch/{batch}/report/{index:int}/decide", app.decide, methods=["POST"]),
        Route("/batch/{batch}/download/{fmt}", app.download),
        Route("/batch/{batch}/rectification", app.rectification),
        Route("/batch/{batch}/rectification.xlsx", app.rectification),
        Route("/rule/{rule}", app.rule),
        Route("/static/grid.css", _grid_css),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    starlette = Starlette(routes=routes, exception_handlers={HistoryError: _store_problem})
    starlette.state.jobs = jobs
    starlette.add_middleware(Guard, settings=settings)
    return starlette


__all__ = ["Jobs", "Settings", "create_app", "default_data_dir", "startup_problem"]
