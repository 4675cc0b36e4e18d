"""The web app: the round page, the token endpoint, reports and history.

``create_app`` takes its settings and, optionally, the functions it depends
on (persona catalog, report page, history page) so tests and deployments can
swap them without patching imports. The app holds no secret other than the
LiveKit API secret in its settings, which signs tokens and its own calls to
the LiveKit server (opening a round's room, relaying "I'm done").
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import plotly
from aiohttp import web

from agent.content.loader import Bank
from agent.interview.limits import MAX_AD_CHARS
from agent.logs import get_logger
from agent.web.catalog import (
    Catalog,
    JobAdFitter,
    PersonaChoice,
    RequestError,
    bank_catalog,
    bank_fitter,
    bank_question_ids,
    job_ad_of,
    redo_of,
    validate_round,
)
from agent.web.client_address import client_address
from agent.web.done import DoneSender, livekit_sender, send_done
from agent.web.owner import owner_cookie, owner_of
from agent.web.pages import HistoryPage, RoundPage, RoundStatus, store_pages, unavailable_page
from agent.web.ratelimit import RateLimiter
from agent.web.rejoin import rejoin
from agent.web.rooms import RoomOpener, livekit_opener, room_request
from agent.web.security import new_nonce, security_headers
from agent.web.settings import WebSettings
from agent.web.tokens import mint_session, new_room_name

log = get_logger("agent.web")

STATIC_DIR = Path(__file__).parent / "static"
DIST_DIR = STATIC_DIR / "dist"
ROUND_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
PAGE_TIMEOUT_S = 10.0
FINISHING_WAIT_S = 3.0  # how long a report waits for a round that is just finishing
FINISHING_POLL_S = 0.25
CATALOG_TIMEOUT_S = 20.0
# The choices need a few hundred bytes; a job ad of the largest size allowed needs at most six bytes a
# character once JSON-encoded (a control character becomes \u0001), so the limit is sized from it.
MAX_BODY_BYTES = 16 * 1024 + 6 * MAX_AD_CHARS

SETTINGS: web.AppKey[WebSettings] = web.AppKey("settings", WebSettings)
CATALOG: web.AppKey[Catalog] = web.AppKey("catalog")
FITTER: web.AppKey[JobAdFitter] = web.AppKey("job_ad_fitter")
QUESTION_IDS: web.AppKey[Callable[[], Sequence[str]]] = web.AppKey("question_ids")
CHOICES: web.AppKey[list[Sequence[PersonaChoice]]] = web.AppKey("choices")
ROUND_PAGE: web.AppKey[RoundPage] = web.AppKey("round_page")
HISTORY_PAGE: web.AppKey[HistoryPage] = web.AppKey("history_page")
ROUND_STATUS: web.AppKey[RoundStatus | None] = web.AppKey("round_status")
DONE_SENDER: web.AppKey[DoneSender] = web.AppKey("done_sender")
ROOM_OPENER: web.AppKey[RoomOpener] = web.AppKey("room_opener")
DONE_LIMITER: web.AppKey[RateLimiter] = web.AppKey("done_limiter", RateLimiter)
LIMITER: web.AppKey[RateLimiter] = web.AppKey("limiter", RateLimiter)
GLOBAL_LIMITER: web.AppKey[RateLimiter] = web.AppKey("global_limiter", RateLimiter)
EXECUTOR: web.AppKey[ThreadPoolExecutor] = web.AppKey("executor", ThreadPoolExecutor)


def create_app(
    settings: WebSettings,
    *,
    bank: Bank | None = None,
    catalog: Catalog | None = None,
    round_page: RoundPage | None = None,
    history_page: HistoryPage | None = None,
    round_status: RoundStatus | None = None,
    done_sender: DoneSender | None = None,
    room_opener: RoomOpener | None = None,
    dist_dir: Path | None = None,
    job_ad_fitter: JobAdFitter | None = None,
    question_ids: Callable[[], Sequence[str]] | None = None,
) -> web.Application:
    """Build the aiohttp application.

    ``bank`` is the content the entry point loaded; every default below that
    needs content is built from it (without a bank, those defaults answer that
    they have no content). ``catalog`` lists the personas the page may offer (default:
    the bank's); ``round_page``/``history_page`` render the report and history
    HTML (default: ``agent.report`` over ``agent.store`` at the settings'
    database, see ``agent.web.pages``); ``job_ad_fitter`` fits a round to a
    pasted job ad (default: the bank's rules); ``question_ids`` lists the
    questions a redo may name (default: the bank's); ``done_sender`` and
    ``room_opener`` reach the LiveKit server (default: its API, see
    ``agent.web.done`` and ``agent.web.rooms``).
    """
    if bank is None:
        defaults: tuple[Any, Any, Any] = (_no_content, _no_content, _no_content)
    else:
        defaults = (partial(bank_catalog, bank), partial(bank_fitter, bank), partial(bank_question_ids, bank))

    app = web.Application(
        client_max_size=MAX_BODY_BYTES,
        middlewares=[security_headers(settings.browser_livekit_url), owner_cookie],  # type: ignore[list-item]
    )
    if round_page is None or history_page is None:
        if settings.database_url is None or bank is None:
            default_round, default_history, default_status = _no_pages()
        else:
            default_round, default_history, default_status = store_pages(settings.database_url, bank.questions)
        round_page = round_page or default_round
        history_page = history_page or default_history
        round_status = round_status or default_status
    app[SETTINGS] = settings
    app[CATALOG] = catalog or defaults[0]
    app[FITTER] = job_ad_fitter or defaults[1]
    app[QUESTION_IDS] = question_ids or defaults[2]
    app[CHOICES] = []
    app[ROUND_PAGE] = round_page
    app[HISTORY_PAGE] = history_page
    app[ROUND_STATUS] = round_status
    app[DONE_SENDER] = done_sender or livekit_sender(settings)
    app[ROOM_OPENER] = room_opener or livekit_opener(settings)
    # "I'm done" presses per client per minute: a held key or a script cannot flood the room
    app[DONE_LIMITER] = RateLimiter(limit=60, window_s=60.0)
    app[LIMITER] = RateLimiter(limit=settings.rate_limit, window_s=settings.rate_window_s)
    app[GLOBAL_LIMITER] = RateLimiter(limit=settings.global_rate_limit, window_s=settings.rate_window_s)
    app[EXECUTOR] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="web-pages")
    app.on_cleanup.append(_shutdown_executor)

    dist = dist_dir or DIST_DIR
    app.router.add_get("/", _index_handler(dist))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/personas", personas)
    app.router.add_post("/api/session", create_session)
    app.router.add_post("/api/done", candidate_done)
    app.router.add_post("/api/rejoin", candidate_rejoin)
    app.router.add_get("/rounds/{round_id}", show_round)
    app.router.add_get("/history", show_history)
    if dist.is_dir():
        app.router.add_static("/static/dist", dist, follow_symlinks=False)
    plotly_js = _plotly_bundle()
    if plotly_js is not None:
        app.router.add_get("/static/vendor/plotly.min.js", _file_handler(plotly_js))
    return app


def _no_content(*_args: object) -> Any:
    raise LookupError("this app was built without a content bank")


def _no_pages() -> tuple[RoundPage, HistoryPage, RoundStatus | None]:
    """Pages for an app built without a database or a bank: they say reports are unavailable."""
    note = "This server was started without a database or content to build reports from."

    def round_page(round_id: str, nonce: str, owner: str) -> str | None:
        return unavailable_page("Report unavailable", note)

    def history_page(nonce: str, owner: str) -> str:
        return unavailable_page("History unavailable", note)

    return round_page, history_page, None


async def _shutdown_executor(app: web.Application) -> None:
    app[EXECUTOR].shutdown(wait=False, cancel_futures=True)


def _plotly_bundle() -> Path | None:
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def _file_handler(path: Path) -> Any:
    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    return handler


def _index_handler(dist: Path) -> Any:
    async def index(_request: web.Request) -> web.StreamResponse:
        page = dist / "index.html"
        if not page.is_file():
            return web.Response(
                status=503,
                text="The page is not built: run `npm ci && npm run build` in frontend/.\n",
            )
        return web.FileResponse(page, headers={"Cache-Control": "no-cache"})

    return index


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


async def _run(request: web.Request, fn: Any, *args: Any, limit_s: float = PAGE_TIMEOUT_S) -> Any:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(limit_s):
        return await loop.run_in_executor(request.app[EXECUTOR], fn, *args)


async def _choices(request: web.Request) -> Sequence[PersonaChoice]:
    cache = request.app[CHOICES]
    if not cache:
        cache.append(list(await _run(request, request.app[CATALOG], limit_s=CATALOG_TIMEOUT_S)))
    return cache[0]


async def healthz(_request: web.Request) -> web.Response:
    """Liveness for load balancers and compose healthchecks; touches nothing else."""
    return web.json_response({"ok": True})


async def personas(request: web.Request) -> web.Response:
    """GET /api/personas: what the page's pickers offer."""
    try:
        choices = await _choices(request)
    except Exception as exc:  # a broken bank must give the page a message, not a hang
        log.error("web.catalog_failed", error=type(exc).__name__)
        return _error(503, f"persona catalog unavailable: {exc}")
    return web.json_response({"personas": [c.to_dict() for c in choices]})


def _refuse_foreign_post(request: web.Request) -> web.Response | None:
    """The answer to a POST that is not same-origin JSON, or None when it may go on."""
    if request.content_type != "application/json":
        return _error(415, "body: send application/json")
    if not _same_origin(request):
        return _error(403, "origin: cross-origin requests are not allowed")
    return None


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # non-browser clients (curl, tests) send no Origin
    return origin == f"{request.scheme}://{request.host}"


async def create_session(request: web.Request) -> web.Response:
    """POST /api/session: validate the choices, open a new room with the interviewer in it, mint a token to join."""
    refused = _refuse_foreign_post(request)
    if refused is not None:
        return refused
    limiter = request.app[LIMITER]
    client = _client(request)
    if not limiter.allow(client):
        retry = max(1, int(limiter.retry_after(client) + 0.999))
        response = _error(429, "too many rounds started from this address; try again shortly")
        response.headers["Retry-After"] = str(retry)
        return response
    everyone = request.app[GLOBAL_LIMITER]
    if not everyone.allow("*"):
        response = _error(429, "the interviewer is starting too many rounds just now; try again in a minute")
        response.headers["Retry-After"] = str(max(1, int(everyone.retry_after("*") + 0.999)))
        return response
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "body: not valid JSON", field="body")
    try:
        choices = await _choices(request)
    except Exception as exc:
        log.error("web.catalog_failed", error=type(exc).__name__)
        return _error(503, f"persona catalog unavailable: {exc}")
    try:
        round_request = validate_round(body, choices)
        ad = job_ad_of(body)
        if isinstance(body, dict) and "redo" in body:
            round_request = redo_of(body, round_request, await _run(request, request.app[QUESTION_IDS]))
    except RequestError as exc:
        return _error(400, str(exc), field=exc.field)
    if ad is not None:
        try:  # the ad stays here: only the question ids and the ad's short quotes go to the worker
            round_request = await _run(request, request.app[FITTER], ad, round_request)
        except Exception as exc:
            log.error("web.job_ad_failed", error=type(exc).__name__)
            return _error(503, "the job ad could not be read just now; try again or leave it out")
    settings, owner = request.app[SETTINGS], owner_of(request)
    room = new_room_name()
    try:  # the one dispatch of this round: the token below can only join (see agent.web.rooms)
        await request.app[ROOM_OPENER](room_request(settings, room, round_request, owner))
    except Exception as exc:  # noqa: BLE001 - the server is down, slow or refused: say so in one line
        log.error("web.room_open_failed", error=type(exc).__name__)
        return _error(503, "the interview server could not open a room just now; try again in a moment")
    grant = mint_session(settings, room, owner=owner)
    log.info(
        "web.session_minted",
        room=grant.room,
        persona=round_request.persona,
        track=round_request.track,
        minutes=round_request.minutes,
        job_ad=round_request.fit is not None,
        redo=bool(round_request.questions) and round_request.fit is None,
    )
    return web.json_response(grant.to_dict(), headers={"Cache-Control": "no-store"})


def _client(request: web.Request) -> str:
    """The address the rate limits count: the peer, or the client a trusted proxy forwarded."""
    return client_address(request.remote, request.headers.get("X-Forwarded-For"),
                          request.app[SETTINGS].trusted_proxies)


def _refuse_keyed_post(request: web.Request, too_many: str) -> web.Response | None:
    """The answer to a keyed page POST that is not same-origin JSON or comes too often, or None to go on."""
    refused = _refuse_foreign_post(request)
    if refused is None and not request.app[DONE_LIMITER].allow(_client(request)):
        refused = _error(429, too_many)
    return refused


async def candidate_done(request: web.Request) -> web.Response:
    """POST /api/done: the candidate pressed Done (or the space bar); end their turn now."""
    refused = _refuse_keyed_post(request, "too many presses; wait a moment")
    if refused is not None:
        return refused
    return await send_done(request, request.app[SETTINGS], request.app[DONE_SENDER])


async def candidate_rejoin(request: web.Request) -> web.Response:
    """POST /api/rejoin: the candidate's connection dropped; a token back into their own round."""
    refused = _refuse_keyed_post(request, "too many tries; wait a moment")
    if refused is not None:
        return refused
    response = await rejoin(request, request.app[SETTINGS], owner_of(request))
    if response.status == 200:
        log.info("web.rejoin_minted")
    return response


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


async def show_round(request: web.Request) -> web.Response:
    """GET /rounds/{id}: the report, from the injected round page; 404 unless the caller owns the round."""
    round_id = request.match_info["round_id"]
    if not ROUND_ID.fullmatch(round_id):
        return _html(unavailable_page("Round not found", "That is not a round id."), status=404)
    nonce = new_nonce(request)
    try:
        await _finishing(request, round_id)
        page = await _run(request, request.app[ROUND_PAGE], round_id, nonce, owner_of(request))
    except TimeoutError:
        return _html(unavailable_page("Report delayed", "The report took too long; reload in a moment."), 504)
    except Exception as exc:
        log.error("web.report_failed", error=type(exc).__name__)
        return _html(unavailable_page("Report failed", "The report could not be built."), status=500)
    if page is None:
        return _html(unavailable_page("Round not found", f"No round has the id {round_id}."), status=404)
    return _html(page)


async def _finishing(request: web.Request, round_id: str) -> None:
    """The page opens the moment the candidate presses End, while the worker is still storing the last
    answer: wait a moment for the round to finish, asleep on the event loop, not in a page thread.
    """
    status_of = request.app[ROUND_STATUS]
    if status_of is None:
        return
    deadline = asyncio.get_running_loop().time() + FINISHING_WAIT_S
    while await _run(request, status_of, round_id, owner_of(request)) == "running":
        if asyncio.get_running_loop().time() >= deadline:
            return  # still running: the partial report is what there is
        await asyncio.sleep(FINISHING_POLL_S)


async def show_history(request: web.Request) -> web.Response:
    """GET /history: the caller's past rounds, from the injected history page."""
    nonce = new_nonce(request)
    try:
        page = await _run(request, request.app[HISTORY_PAGE], nonce, owner_of(request))
    except TimeoutError:
        delayed = unavailable_page("History delayed", "The history took too long; reload in a moment.")
        return _html(delayed, 504)
    except Exception as exc:
        log.error("web.history_failed", error=type(exc).__name__)
        return _html(unavailable_page("History failed", "The history could not be loaded."), status=500)
    return _html(page)
