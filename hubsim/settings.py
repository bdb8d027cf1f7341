"""Every knob of one simulator, in one typed object apart from its state.

``Settings`` holds what a test or the CLI chooses: timings, paging, storage, apps, plan and quota
rules, keyless tokens; ``Variants`` (``settings.variants``) the Hub's behaviours that no recording
shows, each value a plausible Hub. Adding a knob is a field here, with its line in the docstring
(and, for a variant, its evidence in hubsim/README), read where it acts through ``hub.settings``;
``assign`` sets any of them from text (the CLI's ``--set``).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

CasFault = Literal["unreachable", "error", "hang"]
AppAnswer = Literal["200", "500", "none"]

#: Prefixes of exchanged tokens: hub-docs trusted-publishers and huggingface_hub `_oidc.py` document
#: `hf_jwt_` (repo resources) and `hf_oauth_` (user resources); `hf_oidc_` is in no public source
#: (hubsim's first guess), kept as the "undocumented prefix" variant.
TOKEN_PREFIXES = ("hf_jwt_", "hf_oauth_", "hf_oidc_")


class ProtectedInfo(Enum):
    """What a protected Space's info shows (hubsim/README: recorded nowhere, so each shape)."""

    AS_PUBLIC = "private-false"  # `private: false`: the app is public
    AS_PRIVATE = "private-true"  # `private: true`: the files are not
    FIELD_AS_PUBLIC = "private-false+visibility"  # and `visibility` on every repo (hf.js listings)
    FIELD_AS_PRIVATE = "private-true+visibility"

    @property
    def field(self) -> bool:
        return self in (ProtectedInfo.FIELD_AS_PUBLIC, ProtectedInfo.FIELD_AS_PRIVATE)


class WhoamiShape(Enum):
    """What `/api/whoami-v2` answers for an exchanged token: recorded nowhere (hubsim/README)."""

    FINE_GRAINED = "fine-grained"  # the user, a fineGrained token with repo.write on its one repo
    APP = "app"  # hf.js WhoAmIApp: type app, auth.type app_token, no accessToken
    OIDC_USER = "oidc-user"  # the synthetic `[OIDC]` user the Hub attributes pushes to
    NO_NAME = "no-name"  # a user answer without `name`
    REFUSED_401 = "refused-401"  # whoami not allowed for such a token
    REFUSED_403 = "refused-403"


@dataclass
class LifecycleTimings:
    """Phase durations in seconds, before ``time_scale`` is applied."""

    stale: float = 1.0
    building: float = 2.0
    starting: float = 1.0


SettingsRestart = Literal["rebuild-named", "rebuild", "container", "variables-quiet"]
LogStream = Literal["close", "keepalive", "keepalive-comment", "silent"]
RuntimeSha = Literal["absent", "shown", "served"]
QueuedStage = Literal["NO_APP_FILE", "BUILDING"]
SleepStage = Literal["SLEEPING", "STOPPED"]
RunLog = Literal["afresh", "appends"]
SETTINGS_RESTARTS: tuple[SettingsRestart, ...] = (
    "rebuild-named",
    "rebuild",
    "container",
    "variables-quiet",
)
LOG_STREAMS: tuple[LogStream, ...] = ("close", "keepalive", "keepalive-comment", "silent")
RUNTIME_SHAS: tuple[RuntimeSha, ...] = ("absent", "shown", "served")
QUEUED_STAGES: tuple[QueuedStage, ...] = ("NO_APP_FILE", "BUILDING")
SLEEP_STAGES: tuple[SleepStage, ...] = ("SLEEPING", "STOPPED")
RUN_LOGS: tuple[RunLog, ...] = ("afresh", "appends")


@dataclass
class Variants:
    """The Hub's behaviour where no recording tells it; shared by every Space of one simulator.
    Each field is a knob with its public evidence in hubsim/README ("Variants").

    - ``sha``: the runtime JSON's ``sha``: ``absent`` (the 2025 recordings), ``shown`` (the
      commit of the build whose stage is shown, also while it builds), ``served`` (the commit
      of the build whose container serves now: the previous one while ours builds or fails).
    - ``running_stages``: a rebuild of a running Space shows ``RUNNING_BUILDING`` and
      ``RUNNING_APP_STARTING`` (the old container still serves) instead of ``BUILDING`` and
      ``APP_STARTING``.
    - ``settings_restart``: what a change of secrets, variables or hardware (and a restart)
      does: ``rebuild-named`` a build whose log names the head commit; ``rebuild`` a build whose
      log header names no commit; ``container`` only the container restarts (a new
      ``Application Startup`` run log, the build log stays); ``variables-quiet`` as ``rebuild``,
      but a variables change restarts nothing.
    - ``log_stream``: ``close``: a log stream sends the lines written so far and ends;
      ``keepalive``: it stays open, sends new lines as they are written and an empty ``data:``
      event every ``keepalive`` seconds; ``keepalive-comment``: the same with ``: keep-alive``
      comments; ``silent``: it stays open and sends nothing more.
    - ``log_skew``: seconds the logs' clock runs ahead of the API's (``lastModified``, ``Date``).
    - ``first_queue``: seconds a new Space's first build waits in the queue, while the runtime
      shows ``queued_stage``: the template's verdict (``NO_APP_FILE``) or ``BUILDING``.
    - ``info_lag``: seconds the Space info keeps naming the previous head after a commit.
    - ``sleep_stage``: the stage of a Space asleep for lack of visitors: ``SLEEPING``
      (huggingface.js) or ``STOPPED`` (hub-docs, huggingface_hub's ``SpaceStage``).
    - ``protected_info``: what the info and the listing show of a protected Space.
    - ``run_log``: a container restarted without a build starts its run log ``afresh`` (its
      ``Application Startup`` first) or ``appends`` it to the earlier containers' lines.
    """

    sha: RuntimeSha = "absent"
    running_stages: bool = False
    settings_restart: SettingsRestart = "rebuild"
    log_stream: LogStream = "close"
    keepalive: float = 1.0
    log_skew: float = 0.0
    first_queue: float = 0.0
    queued_stage: QueuedStage = "NO_APP_FILE"
    info_lag: float = 0.0
    sleep_stage: SleepStage = "SLEEPING"
    protected_info: ProtectedInfo = ProtectedInfo.AS_PUBLIC
    run_log: RunLog = "afresh"


@dataclass
class Settings:
    """The knobs of one simulator (hubsim/README "Knobs"); change a field at any time, the next
    request reads it.

    - ``time_scale`` multiplies every ``lifecycle`` duration (a build's stale window, building,
      starting).
    - ``page_size``: items per page of the tree, commit and repo listings.
    - ``blobs_in_info``: ``False`` ignores ``?blobs=true``, as a Hub that omits blob ids.
    - ``xet``: Xet storage (as on the Hub); ``False``: classic LFS only, the token endpoints
      refuse. ``cas_fault``: the token answer names a CAS that is ``unreachable``, answers 503
      (``error``) or never (``hang``).
    - ``serve_apps``: a Space's ``host`` is this simulator's ``/_apps/{subdomain}``;
      ``app_answers``: space id -> how its app answers (else a marker in its files, else 200);
      ``app_bodies``: space id -> the body its app answers with (else hubsim's page);
      ``app_hosts``: space id -> the ``host`` its info names instead (a Hub naming another host).
    - ``enforce_plans``: the 2026 creation gate (Gradio and Docker Spaces need a paid plan);
      ``good_standing``: a free account may host 2 ZeroGPU Spaces.
    - ``space_creations`` per ``creation_window`` seconds, then 429 with ``Retry-After``
      ``creation_retry_after`` (``space_creations = None``: no quota).
    - ``api_quota`` requests per user per fixed window of ``api_window`` seconds (times
      ``time_scale``) under ``/api/``, every such answer carrying ``RateLimit: "api";r=<left>;t=<s>``
      and ``RateLimit-Policy``, then 429 until the window ends (``api_quota = None``: no quota,
      no headers). The Hub of 2026: 1,000 per 300 s on a free account.
    - ``token_lifetime``: seconds an exchanged token lives (wall clock); ``report_expiry``:
      the exchange answers ``expires_in``; ``audience``: the ``aud`` an id token must name
      (``None``: this simulator's URL, as clients send ``HF_ENDPOINT``); ``token_prefix`` and
      ``whoami_shape``: an exchanged token's prefix (``TOKEN_PREFIXES``) and what
      ``/api/whoami-v2`` answers for it, recorded nowhere (hubsim/README "The Hub of 2026");
      they need GitHub's id token, so no probe reads them and they are not ``Variants``.
    - ``variants``: the Hub's behaviours no recording shows (``Variants``).
    """

    time_scale: float = 1.0
    lifecycle: LifecycleTimings = field(default_factory=LifecycleTimings)
    page_size: int = 1000
    blobs_in_info: bool = True
    xet: bool = True
    cas_fault: CasFault | None = None
    serve_apps: bool = False
    app_answers: dict[str, AppAnswer] = field(default_factory=dict)
    app_bodies: dict[str, str] = field(default_factory=dict)
    app_hosts: dict[str, str] = field(default_factory=dict)
    enforce_plans: bool = False
    good_standing: bool = True
    space_creations: int | None = None
    creation_window: float = 3600.0
    creation_retry_after: int = 60
    api_quota: int | None = None
    api_window: float = 300.0
    token_lifetime: float = 3600.0
    report_expiry: bool = True
    audience: str | None = None
    token_prefix: str = TOKEN_PREFIXES[0]
    whoami_shape: WhoamiShape = WhoamiShape.FINE_GRAINED
    variants: Variants = field(default_factory=Variants)


def knob_names(target: Any = None, prefix: str = "") -> list[str]:
    """Every knob ``assign`` can set, dotted (``variants.log_stream``, ``lifecycle.stale``)."""
    target = Settings() if target is None else target
    names = []
    for f in fields(target):
        value = getattr(target, f.name)
        if is_dataclass(value):
            names += knob_names(value, f"{prefix}{f.name}.")
        elif not isinstance(value, dict):
            names.append(prefix + f.name)
    return names


def assign(settings: Settings, assignment: str) -> None:
    """Set one knob from ``name=value`` text, parsed as the field's type: ``variants.log_stream=
    keepalive``, ``lifecycle.building=0.5``, ``space_creations=none``, ``variants.protected_info=
    AS_PRIVATE``. ValueError names the knobs or the values when the text is neither."""
    name, sep, text = assignment.partition("=")
    *path, leaf = name.strip().split(".")
    target: Any = settings
    for part in path:
        target = getattr(target, part, None)
    if not sep or name.strip() not in knob_names():
        raise ValueError(f"unknown knob {name.strip()!r}: one of {', '.join(knob_names())}")
    hint = get_type_hints(type(target))[leaf]
    setattr(target, leaf, _parse(hint, text.strip(), name.strip()))


def _parse(hint: Any, text: str, name: str) -> Any:
    unions = (Union, types.UnionType)
    options = get_args(hint) if get_origin(hint) in unions else (hint,)
    if text.lower() == "none" and type(None) in options:
        return None
    for option in options:
        if get_origin(option) is Literal:
            if text in get_args(option):
                return text
        elif isinstance(option, type) and issubclass(option, Enum):
            members = {m.name: m for m in option} | {str(m.value): m for m in option}
            if text in members:
                return members[text]
        elif option is bool:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
        elif option in (int, float, str):
            try:
                return option(text)
            except ValueError:
                continue
    raise ValueError(f"{name}: {text!r} is not a {hint}")
