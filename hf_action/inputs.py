"""Action inputs: read, validate and normalise every one before anything touches the Hub."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, TypedDict

import yaml

from hf_action.envblock import parse_env_block
from hf_action.errors import ActionError, EnvFormatError, InputError
from hf_action.excludes import ALWAYS_EXCLUDED, Place, check_patterns, place
from hf_action.preview import is_valid_repo_name, preview_space_id

SDKS = ("gradio", "docker", "static", "streamlit")
OPERATIONS = ("deploy", "restart", "pause", "delete", "cleanup-previews", "rollback")
SMOKED = ("deploy", "rollback", "restart")  # the operations that end with the Space RUNNING
PREVIOUS = "previous"  # `revision`: the deploy before the Space's head (app/rollback.py)
DEPLOYMENT_MODES = ("auto", "true", "false")
PREVIEW_MODES = ("auto", "true", "false")
VISIBILITIES = ("public", "private", "protected")
CPU_BASIC = "cpu-basic"  # the Hub's free flavor, every Space's hardware unless told otherwise


class TokenSource(StrEnum):
    """Where the run's Hub token comes from."""

    INPUT = "input"  # hf-token
    KEYLESS = (
        "keyless"  # none given: the job's GitHub OIDC id token, exchanged for one on the Space
    )
    NONE = "none"  # neither: an input error, unless the event stops the run first


class EnvMode(StrEnum):
    """`secrets-mode` / `variables-mode`: add and update only, or make the Space hold exactly the list."""

    MERGE = "merge"
    EXACT = "exact"


# Hardware names are not listed here: the caller passes huggingface_hub's SpaceHardware values
# (hub.space.library_hardware), so the accepted names follow the installed library.
PORT_HINT = "Use the port your app listens on, e.g. 7860 or 8000."
TRUE = ("true", "yes", "1", "on")
FALSE = ("false", "no", "0", "off")
MAX_TIMEOUT = 6 * 3600

#: The action's metadata, whose `inputs:` declare every input and its default: next to the package, at
#: the repository's root in a checkout and at /app/action.yml in the image (Dockerfile).
ACTION_YML = Path(__file__).resolve().parent.parent / "action.yml"


def _safe_load(text: str) -> Any:
    """libyaml's safe loader parses action.yml in about 1 ms; without libyaml, PyYAML's pure-Python
    one takes ~25x longer. yaml itself is loaded by every run anyway (huggingface_hub.hf_api)."""
    if yaml.__with_libyaml__:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


@functools.cache
def input_defaults(path: Path = ACTION_YML) -> Mapping[str, str | None]:
    """Every input the action accepts, with its default (None: none), as action.yml declares them.

    Read once, when first asked. A default the runner computes (`${{ github.token }}`) is None here:
    outside the runner nothing evaluates it."""
    hint = "The image holds it at /app/action.yml (Dockerfile); the CLI runs from a checkout."
    try:
        declared = _safe_load(path.read_text(encoding="utf-8"))["inputs"]
        defaults = {str(name): (spec or {}).get("default") for name, spec in declared.items()}
    except OSError as exc:
        raise ActionError(
            f"Cannot read {path}: {exc.strerror or exc}. It declares the action's inputs and their defaults.",
            hint,
            title="action.yml missing",
        ) from None
    except (yaml.YAMLError, LookupError, TypeError, AttributeError) as exc:
        raise ActionError(
            f"{path} does not declare the action's inputs ({type(exc).__name__}).",
            hint,
            title="action.yml unreadable",
        ) from None
    return MappingProxyType(
        {k: None if v is None or "${{" in str(v) else str(v) for k, v in defaults.items()}
    )


@dataclass(frozen=True)
class SmokeCheck:
    """What the smoke check asks of the running app: a path, a bound, statuses that pass besides 2xx."""

    path: str
    timeout: float = 120.0
    statuses: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Inputs:
    space: str
    token: str
    workspace: Path
    path: Path
    sdk: str | None = None
    hardware: str | None = None
    visibility: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    secrets_mode: EnvMode = EnvMode.MERGE  # exact: the Space's secrets not listed are deleted
    variables_mode: EnvMode = EnvMode.MERGE
    exclude: tuple[str, ...] = ()
    delete_removed: bool = True
    app_port: int | None = None
    app_file: str | None = None
    sdk_version: str | None = None
    sleep_time: int | None = None
    wait: bool = True
    timeout: float = 1200.0
    dry_run: bool = False
    commit_message: str | None = None
    card: Path | None = None
    operation: str = "deploy"
    factory_reboot: bool = False
    preview: str = "auto"
    preview_name: str = "{name}-pr-{number}"
    preview_visibility: str | None = None  # None: no more visible than the base (preview.py)
    preview_hardware: str = CPU_BASIC
    preview_sleep_time: int | None = None
    # None: not given, so previews get `secrets` / `variables`, as production (app/route.py)
    preview_secrets: dict[str, str] | None = None
    preview_variables: dict[str, str] | None = None
    github_token: str | None = None
    comment: bool = True
    # GitHub Deployments: auto (previews only), true (production too), false; named by environment
    github_deployment: str = "auto"
    environment: str | None = None  # a template, see github/deployments.py
    revision: str = (
        PREVIOUS  # operation rollback: a Space commit sha (7 to 40 hex digits) or previous
    )
    smoke: SmokeCheck | None = None  # None: no smoke-path, no smoke check
    token_source: TokenSource = TokenSource.INPUT

    @property
    def keyless(self) -> bool:
        """The token comes from the OIDC exchange: one existing Space, one hour."""
        return self.token_source is TokenSource.KEYLESS


def deployment_wanted(mode: str, *, preview: bool) -> bool:
    """``github-deployment``: ``auto`` makes them for previews only, ``true`` for production too."""
    return mode == "true" or (mode == "auto" and preview)


def parse_bool(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise InputError(name, f"expected true or false, got {_show(value)}.")


def parse_duration(name: str, value: str) -> float:
    """`1200`, `90s`, `20m`, `1h`, `1h30m`."""
    v = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", v):
        seconds = float(v)
    else:
        parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", v)
        if not v or not parts or not any(parts.groups()):
            raise InputError(
                name,
                f"{_show(value)} is not a duration.",
                "Use seconds (1200) or a unit: 90s, 20m, 1h.",
            )
        h, m, s = (int(g or 0) for g in parts.groups())
        seconds = float(h * 3600 + m * 60 + s)
    if not 0 < seconds <= MAX_TIMEOUT:
        raise InputError(
            name, f"{_show(value)} is out of range.", "Use a duration between 1s and 6h."
        )
    return seconds


def _show(value: str, limit: int = 40) -> str:
    shown = value if len(value) <= limit else value[:limit] + "…"
    return repr(shown)


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    return None if value is None else _pick(name, value, allowed)


def _pick(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise InputError(
            name, f"{_show(value)} is not allowed.", f"Use one of: {', '.join(allowed)}."
        )
    return value.lower()


def _int(name: str, value: str | None, lo: int, hi: int, hint: str) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"-?\d{1,9}", value.strip()):
        raise InputError(name, f"{_show(value)} is not a whole number.", hint)
    number = int(value)
    if not lo <= number <= hi:
        raise InputError(name, f"{number} is out of range.", hint)
    return number


def _inside(name: str, workspace: Path, value: str, *, must_be: str) -> Path:
    if "\0" in value:
        raise InputError(name, "contains a NUL byte.")
    candidate = Path(value)
    target = (candidate if candidate.is_absolute() else workspace / candidate).resolve()
    where = place(workspace, target, target.is_dir())
    if where is Place.OUTSIDE:
        raise InputError(
            name,
            f"{_show(value)} points outside the workspace.",
            "Give a path inside the checked-out repository.",
        )
    if where is Place.SEALED:
        raise InputError(
            name,
            f"{_show(value)} is inside .git or an always-excluded path.",
            f"Give a path of the repository outside {', '.join(ALWAYS_EXCLUDED)}.",
        )
    if must_be == "dir":
        if not target.exists():
            raise InputError(
                name,
                f"{_show(value)} does not exist in the workspace.",
                "Check the folder name, and that actions/checkout ran.",
            )
        if not target.is_dir():
            raise InputError(
                name,
                f"{_show(value)} is a file, not a folder.",
                "Give the folder that holds the app.",
            )
    elif must_be == "file" and not target.is_file():
        raise InputError(
            name,
            f"{_show(value)} is not a file in the workspace.",
            "Give the path of the card file, e.g. README_HF.md.",
        )
    return target


def _space(value: str | None) -> str:
    if value is None or not value.strip():
        raise InputError(
            "space", "is required.", "Set it to owner/name or name, e.g. space: my-org/my-app."
        )
    value = value.strip()
    parts = value.split("/")
    if len(parts) > 2:  # a URL (https://...) has more than one '/' too
        raise InputError(
            "space",
            f"{_show(value)} is not a Space id.",
            "Use owner/name (not a URL), e.g. my-org/my-app.",
        )
    for part in parts:
        if not is_valid_repo_name(part):
            raise InputError(
                "space",
                f"{_show(value)} is not a valid Space name.",
                "Use letters, digits, '-', '_' and '.', at most 96 characters,"
                " not starting or ending with '-' or '.', without '--' or '..', not ending in '.git'.",
            )
    return value


def _token(name: str, value: str | None, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InputError(
                name,
                "is empty.",
                "Pass a write token (in a workflow: hf-token: ${{ secrets.HF_TOKEN }}; on the command line: HF_TOKEN); create one at https://huggingface.co/settings/tokens.",
            )
        return None
    value = value.strip()
    if any(c.isspace() for c in value) or not value.isprintable():
        raise InputError(
            name,
            "contains whitespace or control characters.",
            "Copy the token again without spaces or line breaks.",
        )
    return value


def _relative_file(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    p = PurePosixPath(value)
    if not value or p.is_absolute() or ".." in p.parts or "\\" in value or "\0" in value:
        raise InputError(
            name,
            f"{_show(value)} must be a relative path inside 'path'.",
            "For example: app.py or src/app.py.",
        )
    return str(p)


def _sleep_time(value: str | None, name: str = "sleep-time") -> int | None:
    hint = "Use seconds between 60 and 604800, or -1 to never sleep (paid hardware)."
    seconds = _int(name, value, -1, 7 * 24 * 3600, hint)
    if seconds is not None and 0 <= seconds < 60:
        raise InputError(name, f"{seconds} is out of range.", hint)
    return seconds


def _env_block(name: str, text: str | None) -> dict[str, str]:
    try:
        return parse_env_block(text, kind=name.rstrip("s"))
    except EnvFormatError as exc:
        hint = "Write one KEY=VALUE per line, or KEY<<EOF ... EOF for multi-line values."
        raise InputError(name, str(exc), hint) from None


def _values(raw: Mapping[str, str]) -> dict[str, str | None]:
    """Every known input, blank ones replaced by their default; an unknown name is refused."""
    defaults = input_defaults()
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise InputError(
            unknown[0], "is not an input of this action.", f"Known inputs: {', '.join(defaults)}."
        )
    return {k: (raw.get(k) if raw.get(k, "").strip() != "" else d) for k, d in defaults.items()}


def _set(val: Mapping[str, str | None], name: str) -> str:
    """An input that has a default: after `_values` it is never missing."""
    value = val[name]
    assert value is not None, name
    return value


def _card(value: str | None, workspace: Path) -> Path | None:
    return _inside("card", workspace, value, must_be="file") if value else None


def _commit_message(value: str | None) -> str | None:
    if value is not None and len(value) > 4096:
        raise InputError("commit-message", "is longer than 4096 characters.")
    return value


def _operation(val: Mapping[str, str | None], closing: bool) -> str:
    """`closing`: a closed pull request only deletes its preview (its checkout is irrelevant)."""
    operation = _pick("operation", _set(val, "operation"), OPERATIONS)
    if closing and operation == "deploy":
        return "delete"
    if operation == "cleanup-previews" and not (val["github-token"] or "").strip():
        raise InputError(
            "github-token",
            "is empty: cleanup-previews asks GitHub which pull requests are closed.",
            "Keep the default (${{ github.token }}) and grant the job `pull-requests: read`.",
        )
    return operation


def _env_blocks(val: Mapping[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
    """The secrets and the variables; a name may be one or the other, not both."""
    secrets = _env_block("secrets", val["secrets"])
    variables = _env_block("variables", val["variables"])
    _apart("variables", secrets, variables)
    return secrets, variables


class _Previews(TypedDict):
    """The inputs only previews read (app/route.py)."""

    preview_name: str
    preview_visibility: str | None
    preview_sleep_time: int | None
    preview_secrets: dict[str, str] | None
    preview_variables: dict[str, str] | None


def _previews(
    val: Mapping[str, str | None], secrets: dict[str, str], variables: dict[str, str]
) -> _Previews:
    p_secrets, p_variables = _preview_blocks(val, secrets, variables)
    return _Previews(
        preview_name=_preview_template(_set(val, "preview-name")),
        preview_visibility=_choice("preview-visibility", val["preview-visibility"], VISIBILITIES),
        preview_sleep_time=_sleep_time(val["preview-sleep-time"], "preview-sleep-time"),
        preview_secrets=p_secrets,
        preview_variables=p_variables,
    )


def _preview_blocks(
    val: Mapping[str, str | None], secrets: dict[str, str], variables: dict[str, str]
) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """`preview-secrets` and `preview-variables`: None when not given (previews then get `secrets`
    and `variables`). Given, even as a block of comments alone (`# none`), they replace them: a
    preview then holds exactly those. A name is a secret or a variable of the preview, not both."""
    given = {name: val[name] is not None for name in ("preview-secrets", "preview-variables")}
    p_secrets = _env_block("preview-secrets", val["preview-secrets"])
    p_variables = _env_block("preview-variables", val["preview-variables"])
    name = "preview-variables" if given["preview-variables"] else "preview-secrets"
    _apart(
        name,
        p_secrets if given["preview-secrets"] else secrets,
        p_variables if given["preview-variables"] else variables,
    )
    return (
        p_secrets if given["preview-secrets"] else None,
        p_variables if given["preview-variables"] else None,
    )


def _apart(name: str, secrets: Mapping[str, str], variables: Mapping[str, str]) -> None:
    both = sorted(set(secrets) & set(variables))
    if both:
        said = "secret" if name == "variables" else "secret and a variable of the previews"
        raise InputError(
            name,
            f"'{both[0]}' is also given as a {said}.",
            "A name can be a secret or a variable, not both.",
        )


def _env_mode(name: str, value: str) -> EnvMode:
    return EnvMode(_pick(name, value.strip(), tuple(EnvMode)))


def _revision(value: str) -> str:
    value = value.strip().lower()
    if value != PREVIOUS and not re.fullmatch(r"[0-9a-f]{7,40}", value):
        raise InputError(
            "revision",
            f"{_show(value)} is not a commit sha.",
            "Give a commit of the Space (7 to 40 hex digits, from its History page) or previous.",
        )
    return value


def _smoke_path(val: Mapping[str, str | None], operation: str) -> str | None:
    value = (val["smoke-path"] or "").strip()
    if not value:
        return None
    if not value.startswith("/") or not value.isprintable() or any(c.isspace() for c in value):
        raise InputError(
            "smoke-path",
            f"{_show(value)} is not a path of the app.",
            "Give a path starting with '/', without spaces, e.g. / or /health.",
        )
    if operation not in SMOKED:
        raise InputError(
            "smoke-path",
            f"is not used with operation {operation}.",
            f"Use it with operation {', '.join(SMOKED)}.",
        )
    if not parse_bool("wait", _set(val, "wait")):
        raise InputError(
            "smoke-path",
            "needs wait: true (the app is called once the Space runs this commit).",
            "Remove wait: false, or the smoke-path.",
        )
    return value


def _smoke(val: Mapping[str, str | None], operation: str) -> SmokeCheck | None:
    timeout = parse_duration("smoke-timeout", _set(val, "smoke-timeout"))
    statuses = _smoke_statuses(val["smoke-status"])
    path = _smoke_path(val, operation)
    return SmokeCheck(path, timeout, statuses) if path is not None else None


def _smoke_statuses(value: str | None) -> frozenset[int]:
    statuses = set()
    for part in re.split(r"[\s,]+", (value or "").strip()):
        if not part:
            continue
        if not re.fullmatch(r"[1-5]\d\d", part):
            raise InputError(
                "smoke-status",
                f"{_show(part)} is not an HTTP status.",
                "List statuses from 100 to 599 that also pass, e.g. 401 or 302, 307.",
            )
        statuses.add(int(part))
    return frozenset(statuses)


def _preview_template(template: str) -> str:
    if "{number}" not in template:
        raise InputError(
            "preview-name",
            f"{_show(template)} must contain {{number}}.",
            "For example: {name}-pr-{number}.",
        )
    try:  # render it once, so a template the Hub would refuse fails here, before any Hub call
        preview_space_id("owner/app", 1, template)
    except ValueError as exc:
        raise InputError(
            "preview-name", str(exc), "Use {name} and {number} with letters, digits, '-', '_', '.'."
        ) from None
    return template


def _sdk_version(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+(\.\d+){0,2}", value.strip()):
        raise InputError(
            "sdk-version", f"{_show(value)} is not a version.", "Use a version like 5.9.1."
        )
    return value.strip() if value else None


def parse_inputs(
    raw: Mapping[str, str],
    workspace: Path,
    *,
    token_source: TokenSource = TokenSource.INPUT,
    closing: bool = False,
    hardware_names: Callable[[str], tuple[str, ...]] = lambda wanted: (),
) -> Inputs:
    """Turn raw strings into `Inputs`, raising `InputError` for the first bad one. `closing`: a closed
    pull request, whose deploy becomes the deletion of its preview. `hardware_names(wanted)`: the
    flavors to accept, asked last (it may read the Hub's listing) and only when `hardware` is set."""
    val = _values(raw)
    workspace = workspace.resolve()
    operation = _operation(val, closing)
    deploying = operation == "deploy"
    secrets, variables = _env_blocks(val)
    previews = _previews(val, secrets, variables)
    commit_message = _commit_message(val["commit-message"])
    sdk_version = _sdk_version(val["sdk-version"])
    path = _inside("path", workspace, _set(val, "path"), must_be="dir") if deploying else workspace
    return Inputs(
        space=_space(val["space"]),
        token=_token("hf-token", val["hf-token"], required=token_source is TokenSource.INPUT) or "",
        token_source=token_source,
        workspace=workspace,
        path=path,
        sdk=_choice("sdk", val["sdk"], SDKS),
        visibility=_choice("visibility", val["visibility"], VISIBILITIES),
        secrets=secrets,
        variables=variables,
        secrets_mode=_env_mode("secrets-mode", _set(val, "secrets-mode")),
        variables_mode=_env_mode("variables-mode", _set(val, "variables-mode")),
        exclude=check_patterns(val["exclude"]),
        delete_removed=parse_bool("delete-removed", _set(val, "delete-removed")),
        app_port=_int("app-port", val["app-port"], 1, 65535, PORT_HINT),
        app_file=_relative_file("app-file", val["app-file"]),
        sdk_version=sdk_version,
        sleep_time=_sleep_time(val["sleep-time"]),
        wait=parse_bool("wait", _set(val, "wait")),
        timeout=parse_duration("timeout", _set(val, "timeout")),
        dry_run=parse_bool("dry-run", _set(val, "dry-run")),
        commit_message=commit_message,
        card=_card(val["card"], workspace) if deploying else None,
        operation=operation,
        factory_reboot=parse_bool("factory-reboot", _set(val, "factory-reboot")),
        preview=_pick("preview", _set(val, "preview"), PREVIEW_MODES),
        **previews,
        github_token=_token("github-token", val["github-token"], required=False),
        comment=parse_bool("comment", _set(val, "comment")),
        github_deployment=_pick(
            "github-deployment", _set(val, "github-deployment"), DEPLOYMENT_MODES
        ),
        environment=(val["environment"] or "").strip() or None,
        revision=_revision(_set(val, "revision")),
        smoke=_smoke(val, operation),
        # Last (arguments are evaluated in order): every other input is valid before the names are asked.
        hardware=_hardware("hardware", val["hardware"], hardware_names),
        preview_hardware=_hardware("preview-hardware", val["preview-hardware"], hardware_names)
        or CPU_BASIC,
    )


def _hardware(name: str, value: str | None, names: Callable[[str], tuple[str, ...]]) -> str | None:
    """A flavor the Hub knows. cpu-basic (the preview default) is every Hub's, so it asks nothing:
    the names may come from the Hub's listing, and loading them costs a run that stops early."""
    if value is None or value.strip().lower() == CPU_BASIC:
        return None if value is None else CPU_BASIC
    return _pick(name, value, names(value.strip().lower()))
