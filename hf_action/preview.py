"""Pure decisions for pull-request preview Spaces: whether, where and what to do.

No I/O here, so the naming rules (the part users are most likely to trip on)
can be tested exhaustively.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from enum import StrEnum

#: Longest repository name the Hub accepts.
MAX_REPO_NAME = 96
#: A DNS label (the app's ``<owner>-<name>.hf.space`` host) holds 63 characters.
MAX_HOST_LABEL = 63
DEFAULT_TEMPLATE = "{name}-pr-{number}"
DEPENDABOT = "dependabot[bot]"

#: The one rule for untrusted pull requests, printed when it applies and quoted word for word by
#: action.yml, README.md, docs/previews.md and docs/security.md (tests/test_fork_rule_e2e.py).
FORK_RULE = (
    "A pull request from a fork or from Dependabot deploys only to its own preview, which gets"
    " no secrets (neither `secrets` nor `preview-secrets`); with `preview: false` the run fails"
    " instead of deploying it to the Space itself."
)

_HASH_LEN = 6
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.-]+")
_TEMPLATE_FIELDS = frozenset({"name", "number"})


@dataclass(frozen=True)
class PullRequest:
    """The parts of a pull-request event that decide what a preview does."""

    number: int
    action: str
    head_sha: str
    head_repo: str | None  # None when the fork was deleted
    base_repo: str
    is_fork: bool
    merged: bool
    html_url: str
    author: str = ""  # the pull request's user.login (dependabot[bot] gets no Actions secrets)

    @property
    def untrusted(self) -> bool:
        """Code the base repository's maintainers did not push: a fork's, or Dependabot's (whose
        changes come from package registries). `FORK_RULE` says what such a pull request gets."""
        return self.is_fork or self.author.lower() == DEPENDABOT

    @property
    def source(self) -> str:
        """Where its code comes from, for a sentence."""
        if not self.is_fork:
            return "Dependabot" if self.untrusted else "this repository"
        return f"the fork {self.head_repo}" if self.head_repo else "a fork since deleted"


class PreviewAction(StrEnum):
    """What a pull-request event asks of its preview Space."""

    DEPLOY = "deploy"
    DELETE = "delete"
    IGNORE = "ignore"


_DEPLOY_ACTIONS = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})


def preview_enabled(mode: str, pr: PullRequest | None) -> bool:
    """Decide from the ``preview`` input whether this run works on a preview Space."""
    value = (mode or "auto").strip().lower()
    if value == "auto":
        return pr is not None
    if value == "false":
        return False
    if value == "true":
        if pr is None:
            raise ValueError(
                "preview: true needs a pull request, but this run was not triggered by a "
                "pull_request or pull_request_target event; use preview: auto to deploy "
                "previews on pull requests and the normal Space otherwise"
            )
        return True
    raise ValueError(f"preview must be 'auto', 'true' or 'false', got {mode!r}")


def preview_action(pr_action: str) -> tuple[PreviewAction, str]:
    """Map a ``pull_request`` action to what happens to the preview, with a reason for logs."""
    if pr_action in _DEPLOY_ACTIONS:
        return PreviewAction.DEPLOY, f"pull request {pr_action}: deploying its head commit"
    if pr_action == "closed":
        return PreviewAction.DELETE, "pull request closed: deleting its preview Space"
    return (
        PreviewAction.IGNORE,
        f"pull request {pr_action or '(no action)'}: nothing to deploy "
        "(previews follow opened, reopened, synchronize, ready_for_review and closed)",
    )


class BaseVisibility(StrEnum):
    """What the base Space shows of who may see it, as far as its previews are concerned."""

    MISSING = "missing"  # no base Space yet
    PUBLIC = "public"  # anyone may read its files
    PRIVATE = "private"
    PROTECTED = "protected"  # the app is public, the files are not
    HIDDEN = "hidden"  # private or protected: its info shows `private: true` and no more


_SHOWN = {
    BaseVisibility.PRIVATE: "private",
    BaseVisibility.PROTECTED: "protected",
    BaseVisibility.HIDDEN: "private or protected",
}


def preview_visibility(
    explicit: str | None, asked: str | None, base: BaseVisibility, base_id: str
) -> tuple[str | None, str]:
    """The visibility a preview is given (None: the Hub's creation default, or left as it is), and
    the log's reason. A preview shows unreleased code, so it is never more visible than its base:
    a base that is not public gives a private preview whatever `visibility` (production's) says.
    Private, not protected: every plan allows it, it holds whether the Hub's info tells protected
    from private or not, and the app of unreleased code stays unlisted too. Only
    `preview-visibility` (`explicit`) may choose otherwise."""
    if explicit is not None:
        return explicit, f"preview-visibility: {explicit}"
    if base is BaseVisibility.MISSING:
        return (
            asked,
            f"the base Space {base_id} does not exist yet, so the creation default applies",
        )
    if base is BaseVisibility.PUBLIC:
        return asked, f"the base Space {base_id} is public" + (
            f"; visibility: {asked}" if asked else ""
        )
    return "private", f"the base Space {base_id} is {_SHOWN[base]}, so its preview is private"


class SetFrom(StrEnum):
    """Which input a preview's secrets (or variables) came from."""

    PREVIEW = "preview"  # preview-secrets / preview-variables
    SPACE = "space"  # secrets / variables, as the base Space gets them
    WITHHELD = "withheld"  # none: an untrusted pull request's preview (FORK_RULE)


@dataclass(frozen=True)
class PreviewSettings:
    """What a preview runs on, as the log, the summary, the PR comment and the Deployment tell it:
    names of secrets and variables, never values."""

    hardware: str
    sleep_time: int | None  # None: the hardware sleeps on its own terms (cpu-basic: 48 h)
    secrets_from: SetFrom
    variables_from: SetFrom
    secret_names: tuple[str, ...] = ()
    variable_names: tuple[str, ...] = ()

    def runs_on(self, visibility: str) -> str:
        """One line: hardware, visibility, sleep, and which sets of secrets and variables."""
        return (
            f"{self.hardware}, {visibility}, {self.sleep}; secrets: {self._from('secrets')};"
            f" variables: {self._from('variables')}"
        )

    @property
    def sleep(self) -> str:
        if self.sleep_time is None:
            return "sleeps after 48 h" if self.hardware == "cpu-basic" else "sleeps as the Hub sets"
        if self.sleep_time < 0:
            return "never sleeps"
        return f"sleeps after {_duration(self.sleep_time)}"

    def named(self) -> str:
        """The names each set holds, for the log and the summary."""
        return f"{self._named('secrets')}; {self._named('variables')}"

    def _named(self, kind: str) -> str:
        source = self.secrets_from if kind == "secrets" else self.variables_from
        names = self.secret_names if kind == "secrets" else self.variable_names
        if source is SetFrom.WITHHELD:
            return f"{kind}: {self._from(kind)}"
        return f"{kind}: {', '.join(names) or '(none)'} from {self._from(kind)}"

    def _from(self, kind: str) -> str:
        source = self.secrets_from if kind == "secrets" else self.variables_from
        if source is SetFrom.WITHHELD:
            return "none (untrusted pull request)"
        return f"preview-{kind}" if source is SetFrom.PREVIEW else f"{kind} (as production)"


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def fork_note(pr: PullRequest | None) -> str | None:
    """The line the PR comment shows for an untrusted pull request, so reviewers know how its preview
    ran (`FORK_RULE`)."""
    if pr is None or not pr.untrusted:
        return None
    return f"This pull request comes from {pr.source}: its preview runs **without** secrets."


def is_valid_repo_name(name: str) -> bool:
    """True when the Hub accepts ``name`` as the name part of a repository id."""
    return (
        isinstance(name, str)
        and 1 <= len(name) <= MAX_REPO_NAME
        and _NAME_CHARS.fullmatch(name) is not None
        and name[0] not in "-."
        and name[-1] not in "-."
        and "--" not in name
        and ".." not in name
        and not name.endswith(".git")
    )


def split_space_id(space_id: str) -> tuple[str, str]:
    """Split and validate ``owner/name``."""
    owner, sep, name = (space_id or "").partition("/")
    if not sep or not is_valid_repo_name(owner) or not is_valid_repo_name(name):
        raise ValueError(
            "space must look like 'owner/name' with letters, digits, '-', '_' and '.', "
            f"got {space_id!r}"
        )
    return owner, name


def preview_space_id(space_id: str, pr_number: int, template: str = DEFAULT_TEMPLATE) -> str:
    """Name the preview Space of pull request ``pr_number`` for base Space ``space_id``.

    When the rendered name is too long for the Hub or the app's host label, the
    ``{name}`` part is cut and tagged with a hash of the base name and number, so
    the result stays deterministic, keeps the PR number and does not collide.
    """
    owner, name = split_space_id(space_id)
    if isinstance(pr_number, bool) or not isinstance(pr_number, int) or pr_number < 1:
        raise ValueError(f"pull request number must be a positive integer, got {pr_number!r}")
    name_slots = _check_template(template)

    limit = min(MAX_REPO_NAME, MAX_HOST_LABEL - len(owner) - 1)
    candidate = _render(template, name, pr_number)
    if len(candidate) > limit:
        candidate = _render(
            template, _shorten(owner, name, pr_number, template, name_slots, limit), pr_number
        )
    if len(candidate) > limit:
        raise ValueError(
            f"preview-name {template!r} cannot fit within {limit} characters for owner {owner!r} "
            f"(the Hub allows {MAX_REPO_NAME} and the app host '{owner.lower()}-<name>' "
            f"{MAX_HOST_LABEL}); use a shorter template"
        )
    if not is_valid_repo_name(candidate):
        raise ValueError(
            f"preview-name {template!r} gives {candidate!r}, which is not a valid Space name "
            "(letters, digits, '-', '_', '.'; no leading or trailing '-' or '.', no '--' or '..')"
        )
    return f"{owner}/{candidate}"


def preview_number(space_id: str, base_id: str, template: str = DEFAULT_TEMPLATE) -> int | None:
    """The pull request whose preview of ``base_id`` is ``space_id``, or None if it is no preview.

    The name is parsed with the template, then that number is rendered back (the template may
    have cut and hashed the base name): only an exact round trip counts, so look-alikes such as
    ``app-pr-5-old``, ``app-pr-05`` or another base's ``myapp-pr-1`` are never taken for one.
    """
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field == "number":
            parts.append(r"([1-9][0-9]{0,9})")
        elif field is not None:
            parts.append(r"(?:.+?)")
    owner, _, name = space_id.partition("/")
    match = re.fullmatch("".join(parts), name)
    if match is None or owner.lower() != base_id.partition("/")[0].lower():
        return None
    number = int(match.group(1))
    try:
        expected = preview_space_id(base_id, number, template)
    except ValueError:
        return None
    return number if expected.lower() == space_id.lower() else None


def _check_template(template: str) -> int:
    """Validate ``template`` and return how many times it uses ``{name}``."""
    if not isinstance(template, str) or not template.strip():
        raise ValueError("preview-name must not be empty; the default is '{name}-pr-{number}'")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"preview-name {template!r} is not a valid template: {exc}") from None
    fields: list[str] = []
    for literal, field, spec, conversion in parts:
        if literal and not _NAME_CHARS.fullmatch(literal):
            raise ValueError(
                f"preview-name {template!r} may only contain letters, digits, '-', '_', '.' "
                "besides {name} and {number}"
            )
        if field is None:
            continue
        if field not in _TEMPLATE_FIELDS or spec or conversion:
            raise ValueError(
                f"preview-name {template!r} may only use the placeholders {{name}} and {{number}}, "
                f"found {{{field}}}"
            )
        fields.append(field)
    if "number" not in fields:
        raise ValueError(
            f"preview-name {template!r} must contain {{number}} "
            "so each pull request gets its own Space"
        )
    return fields.count("name")


def _render(template: str, name: str, number: int) -> str:
    return template.format(name=name, number=number)


def _shorten(owner: str, name: str, number: int, template: str, slots: int, limit: int) -> str:
    """A stand-in for ``name`` that fits ``limit``: ``<prefix>-<hash>`` or just ``<hash>``."""
    if slots == 0:
        return name  # nothing to cut; the caller reports the overflow
    fixed = len(_render(template, "", number))
    room = (limit - fixed) // slots
    digest = hashlib.sha256(f"{owner}/{name}#{number}".encode()).hexdigest()[:_HASH_LEN]
    if room < _HASH_LEN:
        return digest  # still too long: the caller raises with a clear message
    prefix = name[: max(0, room - _HASH_LEN - 1)].rstrip("-._")
    return f"{prefix}-{digest}" if prefix else digest
