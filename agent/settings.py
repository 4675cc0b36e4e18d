"""Every environment variable the interviewer reads, read once into one frozen object.

Each entry point (the ``interviewer`` command, the LiveKit worker, the web
app it serves) builds :class:`Settings` from its environment when it starts
and hands it, or the part a piece needs, down; nothing below the entry points
reads the environment. So a bad value is found once, before any round
starts, as one line that begins with the variable's name (``SettingsError``),
and a test or a job process works from settings it was given, not from
whatever its environment happens to hold.

Whether a value must be set is left to the piece that needs it: a text round
runs without ``LIVEKIT_URL``, while the worker and the web app each say in
their own words that they need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field

from agent.assist.endpoint import DEFAULT_TIMEOUT_S, LLMSettings
from agent.paths import APP_NAME, DATA_DIR_ENV, DB_FILE, DB_URL_ENV, PROJECT_ROOT
from agent.report.retention import Retention
from agent.speech.models import default_models_dir
from agent.web.client_address import Network, parse_proxies
from agent.web.settings import DEFAULT_TOKEN_TTL_S, MAX_TOKEN_TTL_S, WebSettings

CONTENT_DIR_ENV = "INTERVIEWER_CONTENT_DIR"
DB_WAIT_ENV = "INTERVIEWER_DB_WAIT_S"
MODELS_DIR_ENV = "INTERVIEWER_MODELS_DIR"
KEEP_REPORTS_ENV = "INTERVIEWER_KEEP_REPORTS"
KEEP_DAYS_ENV = "INTERVIEWER_KEEP_REPORT_DAYS"
LLM_URL_ENV = "INTERVIEWER_LLM_URL"
LLM_MODEL_ENV = "INTERVIEWER_LLM_MODEL"
LLM_KEY_ENV = "INTERVIEWER_LLM_API_KEY"
LLM_TIMEOUT_ENV = "INTERVIEWER_LLM_TIMEOUT_S"
LIVEKIT_URL_ENV = "LIVEKIT_URL"
LIVEKIT_KEY_ENV = "LIVEKIT_API_KEY"
LIVEKIT_SECRET_ENV = "LIVEKIT_API_SECRET"
LIVEKIT_PUBLIC_URL_ENV = "LIVEKIT_PUBLIC_URL"
TOKEN_TTL_ENV = "INTERVIEWER_TOKEN_TTL_S"
GLOBAL_RATE_ENV = "INTERVIEWER_GLOBAL_RATE_LIMIT"
TRUSTED_PROXIES_ENV = "INTERVIEWER_TRUSTED_PROXIES"
REJOIN_GRACE_ENV = "INTERVIEWER_REJOIN_GRACE_S"
ADMIT_CPU_ENV = "INTERVIEWER_ADMIT_CPU"

DEFAULT_DB_WAIT_S = 30.0  # how long a write retries a locked database before the round is told
MAX_KEEP_REPORTS = 100_000
MAX_KEEP_DAYS = 36_500.0
DEFAULT_GLOBAL_RATE_LIMIT = 120
DEFAULT_REJOIN_GRACE_S = 60.0  # how long a dropped candidate may take to come back into their round
MAX_REJOIN_GRACE_S = 600.0
DEFAULT_ADMIT_CPU = 0.85  # a worker admits a further round while its host's busy cores stay under this share

T = TypeVar("T")


class SettingsError(ValueError):
    """A variable holds a value the interviewer cannot use; the message starts with the variable's name."""


class LiveKitAccess(BaseModel):
    """The LiveKit server and its API credentials as the environment gives them ("" when unset)."""

    model_config = ConfigDict(frozen=True)

    url: str = ""
    api_key: str = ""
    api_secret: str = Field(default="", repr=False)  # signs tokens: never in a log line or a traceback
    public_url: str = ""  # the address a browser uses, when it differs from the worker's


class Settings(BaseModel):
    """What the environment says, checked; built once per process by :meth:`from_env`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    content_root: Path = PROJECT_ROOT  # question_bank/ and interviewer_personas/ are here
    data_dir: Path  # the user's rounds, reports and logs
    database_url: str
    database_named: bool = False  # the user named the database (--db or INTERVIEWER_DB), not the default file
    db_wait_s: float = DEFAULT_DB_WAIT_S
    models_dir: Path = Field(default_factory=default_models_dir)
    retention: Retention = Retention()
    llm: LLMSettings | None = None  # None: no model endpoint, the cues alone judge answers
    livekit: LiveKitAccess = LiveKitAccess()
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    global_rate_limit: int = DEFAULT_GLOBAL_RATE_LIMIT
    trusted_proxies: tuple[Network, ...] = ()
    rejoin_grace_s: float = DEFAULT_REJOIN_GRACE_S
    admit_cpu: float = DEFAULT_ADMIT_CPU  # 0 admits one round at a time (agent.admission)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read and check every variable; the first bad one is a ``SettingsError`` naming it."""
        data_dir = _path(env, DATA_DIR_ENV) or Path(user_data_dir(APP_NAME, appauthor=False))
        database = env.get(DB_URL_ENV, "")
        return cls(
            content_root=_path(env, CONTENT_DIR_ENV) or PROJECT_ROOT,
            data_dir=data_dir,
            database_url=database or default_database(data_dir),
            database_named=bool(database),
            db_wait_s=_number(env, DB_WAIT_ENV, float, DEFAULT_DB_WAIT_S, 0, 3600,
                              "expected seconds between 0 and 3600"),
            models_dir=_path(env, MODELS_DIR_ENV) or default_models_dir(),
            retention=_retention(env),
            llm=_llm(env),
            livekit=LiveKitAccess(url=env.get(LIVEKIT_URL_ENV, ""), api_key=env.get(LIVEKIT_KEY_ENV, ""),
                                  api_secret=env.get(LIVEKIT_SECRET_ENV, ""),
                                  public_url=env.get(LIVEKIT_PUBLIC_URL_ENV, "")),
            token_ttl_s=_number(env, TOKEN_TTL_ENV, int, DEFAULT_TOKEN_TTL_S, 60, MAX_TOKEN_TTL_S,
                                f"expected whole seconds from 60 to {MAX_TOKEN_TTL_S}"),
            global_rate_limit=_number(env, GLOBAL_RATE_ENV, int, DEFAULT_GLOBAL_RATE_LIMIT, 1, 100_000,
                                      "must be a whole number from 1 to 100000"),
            trusted_proxies=_proxies(env),
            rejoin_grace_s=_number(env, REJOIN_GRACE_ENV, float, DEFAULT_REJOIN_GRACE_S, 0, MAX_REJOIN_GRACE_S,
                                   "expected seconds from 0 to 600"),
            admit_cpu=_number(env, ADMIT_CPU_ENV, float, DEFAULT_ADMIT_CPU, 0.0, 1.0,
                              "expected a share of the CPU from 0 to 1"),
        )

    def with_database(self, url: str | None) -> Settings:
        """These settings with the database a command line named (``--db``); unchanged for None."""
        return self if not url else self.model_copy(update={"database_url": url, "database_named": True})

    def with_livekit(self, url: str, api_key: str, api_secret: str) -> Settings:
        """These settings pointed at another LiveKit server, one the browser reaches at the same address
        (``serve --dev`` starts its own).
        """
        access = LiveKitAccess(url=url, api_key=api_key, api_secret=api_secret)
        return self.model_copy(update={"livekit": access})

    def web(self) -> WebSettings:
        """The web app's settings; ``SettingsError`` naming the LiveKit variable that is missing or malformed."""
        if not self.livekit.url:
            raise SettingsError(f"{LIVEKIT_URL_ENV}: must be set (for example ws://127.0.0.1:7880)")
        try:
            return WebSettings(
                livekit_url=self.livekit.url,
                api_key=self.livekit.api_key,
                api_secret=self.livekit.api_secret,
                public_livekit_url=self.livekit.public_url or None,
                token_ttl_s=self.token_ttl_s,
                database_url=self.database_url,
                global_rate_limit=self.global_rate_limit,
                trusted_proxies=self.trusted_proxies,
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None


def default_database(data_dir: Path) -> str:
    """The SQLite file used when no database is named (its folder is made when the store opens it)."""
    return f"sqlite:///{data_dir / DB_FILE}"


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "")
    return Path(raw).expanduser() if raw else None


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T, low: float, high: float,
            expected: str) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}: {expected}, got {raw!r}") from None
    if not low <= value <= high:  # type: ignore[operator]  # also refuses nan
        raise SettingsError(f"{name}: {expected}, got {raw!r}")
    return value


def _retention(env: Mapping[str, str]) -> Retention:
    """``INTERVIEWER_KEEP_REPORTS`` (0 keeps any number) and ``INTERVIEWER_KEEP_REPORT_DAYS`` (0: any age)."""
    keep = _number(env, KEEP_REPORTS_ENV, int, Retention().keep or 0, 0, MAX_KEEP_REPORTS,
                   f"expected a whole number of reports from 0 (keep any number) to {MAX_KEEP_REPORTS}")
    days = _number(env, KEEP_DAYS_ENV, float, 0.0, 0, MAX_KEEP_DAYS,
                   f"expected a number of days from 0 (any age) to {MAX_KEEP_DAYS:g}")
    return Retention(keep=keep or None, max_days=days or None)


def _llm(env: Mapping[str, str]) -> LLMSettings | None:
    """``INTERVIEWER_LLM_*``, or None when no endpoint is configured."""
    url = env.get(LLM_URL_ENV, "").strip()
    if not url:
        return None
    model = env.get(LLM_MODEL_ENV, "").strip()
    if not model:
        raise SettingsError(f"{LLM_MODEL_ENV}: required when {LLM_URL_ENV} is set (the model name the endpoint "
                            "serves)")
    raw = env.get(LLM_TIMEOUT_ENV, "").strip()
    try:
        timeout = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        raise SettingsError(f"{LLM_TIMEOUT_ENV}: not a number of seconds: {raw!r}") from None
    if not 0.1 <= timeout <= 30:
        raise SettingsError(f"{LLM_TIMEOUT_ENV}: {timeout} is outside 0.1-30 seconds")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{LLM_URL_ENV}: {url!r} is not an http(s) URL")
    return LLMSettings(base_url=url, model=model, api_key=env.get(LLM_KEY_ENV, "").strip() or "not-needed",
                       timeout_s=timeout)


def _proxies(env: Mapping[str, str]) -> tuple[Network, ...]:
    try:
        return parse_proxies(env.get(TRUSTED_PROXIES_ENV, ""), name=TRUSTED_PROXIES_ENV)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
