"""``smb-eco classroom``: serve the participatory classroom game of :mod:`.classroom`.

One process serves plain HTML pages and a JSON API with Starlette under uvicorn (both come with
the ``dashboard`` extra); the pages load nothing from outside the server, so the game runs with
no internet. Students open ``/`` and join with a name; the teacher opens ``/teacher?key=KEY``
with the key printed at start-up (the teacher's requests carry it), advances the rounds, switches
scenarios, watches the leaderboard and the debrief and downloads the results as CSV.

API (JSON; every refusal is status 400, 403 or 404 with ``{"error": one line}``):

==========================  ==========  ====================================================
``/api/join``               POST        ``{"name"}`` -> ``{"token", "name"}``
``/api/me?token=``          GET         the student's view (firm, functions, vendors, ...)
``/api/submit``             POST        ``{"token", "round", "decision"}``
``/api/leave``              POST        ``{"token"}``: the page closed (counted away at once)
``/api/leaderboard``        GET         the students of the run, best first
``/api/reporters``          GET         the model's ``focal_report`` of every focal firm
``/api/teacher``            GET         the teacher's view (players, leaderboard, timer)
``/api/teacher/start``      POST        ``{"scenario"}``: a new run with every student
``/api/teacher/advance``    POST        play the open round
``/api/teacher/settings``   POST        ``{"auto_advance", "timer_s"}``
``/api/debrief``            GET         students and rule firms side by side
``/export.csv``             GET         every firm's decisions and results by round
==========================  ==========  ====================================================
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import socket
import sys
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from .classroom import DecisionError, Game
from .dashboard import startup_problem
from .presets import DEFAULT_PRESET

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "build_app", "json_safe", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8766
PAGES = Path(__file__).with_name("classroom_pages")
NEEDS = ("starlette", "uvicorn")
#: Largest request body accepted, in bytes.
MAX_BODY = 64 * 1024
TICK_S = 0.5


def build_app(game: Game, teacher_key: str, join_url: str | None = None):
    """The Starlette application serving ``game``; teacher requests must carry ``teacher_key``;
    the teacher's page shows ``join_url`` as the students' address."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    def refuse(message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise DecisionError(f"request body: at most {MAX_BODY} bytes, got {len(raw)}")
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DecisionError("request body: not valid JSON") from None
        if not isinstance(data, dict):
            raise DecisionError("request body: a JSON object")
        return data

    def teacher(request: Request) -> None:
        given = request.headers.get("x-teacher-key") or request.query_params.get("key") or ""
        if not secrets.compare_digest(given, teacher_key):
            raise PermissionError(
                "teacher key missing or wrong: open the teacher address printed at start-up"
            )

    def endpoint(handler, *, for_teacher: bool = False):
        async def wrapped(request: Request) -> Response:
            try:
                if for_teacher:
                    teacher(request)
                result = await handler(request)
            except DecisionError as error:
                return refuse(str(error))
            except PermissionError as error:
                return refuse(str(error), 403)
            return result if isinstance(result, Response) else JSONResponse(json_safe(result))

        return wrapped

    async def join(request):
        data = await body(request)
        return await run_in_threadpool(game.join, data.get("name"))

    async def me(request):
        return await run_in_threadpool(game.player_view, request.query_params.get("token"))

    async def submit(request):
        data = await body(request)
        return await run_in_threadpool(
            game.submit, data.get("token"), data.get("round"), data.get("decision")
        )

    async def leave(request):
        data = await body(request)
        await run_in_threadpool(game.leave, data.get("token"))
        return {"ok": True}

    async def leaderboard(request):
        return await run_in_threadpool(game.leaderboard)

    async def reporters(request):
        return await run_in_threadpool(game.reporters)

    async def teacher_view(request):
        return {**await run_in_threadpool(game.teacher_view), "join_url": join_url}

    async def start(request):
        data = await body(request)
        await run_in_threadpool(game.start, data.get("scenario"))
        return {"ok": True}

    async def advance(request):
        await run_in_threadpool(game.advance)
        return {"ok": True}

    async def settings(request):
        data = await body(request)
        await run_in_threadpool(game.settings, data.get("auto_advance"), data.get("timer_s"))
        return {"ok": True}

    async def debrief(request):
        return await run_in_threadpool(game.debrief)

    async def export(request):
        text = await run_in_threadpool(game.csv_text)
        return PlainTextResponse(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="classroom_results.csv"'},
        )

    def page(name: str):
        async def serve_page(request):
            return FileResponse(PAGES / name, media_type="text/html")

        return serve_page

    stop = threading.Event()

    def ticking() -> None:  # the round timer
        while not stop.wait(TICK_S):
            game.tick()

    @asynccontextmanager
    async def lifespan(app):
        clock = threading.Thread(target=ticking, name="round-timer", daemon=True)
        clock.start()
        try:
            yield
        finally:
            stop.set()
            clock.join(5)

    routes = [
        Route("/", page("student.html")),
        Route("/teacher", page("teacher.html")),
        Route("/api/join", endpoint(join), methods=["POST"]),
        Route("/api/me", endpoint(me)),
        Route("/api/submit", endpoint(submit), methods=["POST"]),
        Route("/api/leave", endpoint(leave), methods=["POST"]),
        Route("/api/leaderboard", endpoint(leaderboard)),
        Route("/api/reporters", endpoint(reporters)),
        Route("/api/teacher", endpoint(teacher_view, for_teacher=True)),
        Route("/api/teacher/start", endpoint(start, for_teacher=True), methods=["POST"]),
        Route("/api/teacher/advance", endpoint(advance, for_teacher=True), methods=["POST"]),
        Route("/api/teacher/settings", endpoint(settings, for_teacher=True), methods=["POST"]),
        Route("/api/debrief", endpoint(debrief, for_teacher=True)),
        Route("/export.csv", endpoint(export, for_teacher=True)),
        Mount("/static", StaticFiles(directory=PAGES), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinite numbers as None (JSON has no NaN: a closed firm's cash).

    >>> json_safe({"cash": float("nan"), "rows": [1.5, float("inf")]})
    {'cash': None, 'rows': [1.5, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _network_address() -> str:
    """This machine's address on its network, as students' machines reach it (a UDP socket is
    pointed at a private address to learn the outgoing interface; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    seed: int = 1,
    scenario: str = DEFAULT_PRESET,
    n_smbs: int = 30,
    n_vendors: int = 10,
    rounds: int = 3,
) -> int:
    """Serve the classroom game until Ctrl+C or SIGTERM; print the students' and teacher's
    addresses first. Returns 0, or 2 when it cannot start (one line on standard error)."""
    try:
        game = Game(scenario=scenario, seed=seed, n_smbs=n_smbs, n_vendors=n_vendors, rounds=rounds)
    except ValueError as error:
        sys.stderr.write(f"smb-eco classroom: error: --scenario: {error}\n")
        return 2
    problem = startup_problem("the classroom game", NEEDS, host, port)
    if problem is not None:
        sys.stderr.write(f"smb-eco classroom: error: {problem}\n")
        return 2
    import uvicorn

    key = secrets.token_urlsafe(9)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    public = f"http://{_network_address()}:{port}/" if host in ("0.0.0.0", "::") else f"{base}/"
    print(f"Classroom game: students join at {public}", flush=True)
    print(f"Teacher page: {base}/teacher?key={key}  (Ctrl+C to stop)", flush=True)
    app = build_app(game, key, public)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    # uvicorn stops gracefully on Ctrl+C or SIGTERM, then raises the signal again (which the
    # command line turns into KeyboardInterrupt): the game has ended as asked
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    return 0
