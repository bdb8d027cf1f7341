"""GitHub Deployments for previews (and production deploys on request): a pull request's "View
deployment" button, one environment per pull request, with statuses that follow the Space:
``in_progress``, then ``success`` (the app URL, the workflow run) or ``failure``; ``inactive`` once
the preview is deleted, or when a newer run of the pull request overtook this one (github.heads).
A courtesy, like the comment: a failure is one warning and the deploy goes on. PyGithub is
imported lazily: cold start."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from hf_action.errors import InputError
from hf_action.github.context import GitHubContext
from hf_action.github.heads import PullHead
from hf_action.github.refusal import refusal_message

if TYPE_CHECKING:
    from github import Github
    from github.Deployment import Deployment

T = TypeVar("T")

PREVIEW_ENVIRONMENT = "hf-preview/{name}-pr-{number}"
PRODUCTION_ENVIRONMENT = "hf-space/{name}"
#: GitHub's limit on an environment name.
MAX_ENVIRONMENT = 255
_FIELDS = frozenset({"name", "owner", "number"})
_NOT_AFFECTED = "The deploy itself is not affected."
#: How many deployments of one environment a close deactivates (newest first): a bound, not a limit
#: anyone meets (one deployment per push to the pull request).
MAX_DEACTIVATE = 300


def environment_name(template: str | None, base_id: str, number: int | None) -> str:
    """The environment of ``base_id``'s deployment; a preview's must contain ``{number}``.

    Raises InputError before anything is deployed: one environment shared by several pull
    requests would let closing one deactivate another's deployment.
    """
    owner, _, name = base_id.partition("/")
    text = (template or "").strip() or (
        PREVIEW_ENVIRONMENT if number is not None else PRODUCTION_ENVIRONMENT
    )
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise InputError("environment", f"{text!r} is not a valid template: {exc}.") from None
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise InputError(
            "environment",
            f"{text!r} uses {{{unknown[0]}}}, which is not a placeholder.",
            "Use {name}, {owner} and, for previews, {number}.",
        )
    if number is not None and "number" not in fields:
        raise InputError(
            "environment",
            f"{text!r} has no {{number}}: every pull request needs its own environment.",
            "Add {number}, e.g. 'preview/pr-{number}' (the default is "
            f"'{PREVIEW_ENVIRONMENT}').",
        )
    if number is None and "number" in fields:
        raise InputError(
            "environment",
            f"{text!r} uses {{number}}, but this run is not for a pull request.",
            "Give production deploys a name without {number}.",
        )
    result = text.format(name=name, owner=owner, number=number)
    if len(result) > MAX_ENVIRONMENT:
        raise InputError("environment", f"{result[:40]!r}… is longer than 255 characters.")
    return result


@dataclass(frozen=True)
class NewDeployment:
    """What a deployment describes."""

    environment: str
    ref: str
    space_id: str
    preview: bool


class Deployments:
    """The deployments of one run; after the first failure (already warned) it does nothing."""

    def __init__(
        self,
        token: str,
        repository: str,
        github: GitHubContext,
        warn: Callable[[str], None],
        *,
        head: PullHead | None = None,
    ) -> None:
        self.token, self.repository, self.warn = token, repository, warn
        #: A preview deploy's: a deployment of the pull request's current head, no longer ours,
        #: is a newer run's; this run then makes none, or ends its own ``inactive``.
        self.head = head
        self.api_url = github.api_url
        self.log_url = github.run_url  # the workflow run's page
        self.broken = False
        self.deployment: Deployment | None = None  # once created
        self.last_id: int | None = None

    def start(self, target: NewDeployment) -> int | None:
        """Create the deployment and mark it ``in_progress``; its id, or None after a warning or
        when a newer run of the pull request has deployed (``superseded_by``)."""
        payload = {"space": target.space_id, "tool": "hf-deploy"}

        def create(gh: Github) -> int | None:
            if self._newer_run(gh, target.environment) is not None:
                return None
            repo = gh.get_repo(self.repository)
            self.deployment = repo.create_deployment(
                target.ref,
                environment=target.environment,
                auto_merge=False,  # never merge the default branch into a PR head
                required_contexts=[],  # this job's own checks are still pending
                payload=payload,
                description=f"Hugging Face Space {target.space_id}"[:140],
                transient_environment=target.preview,
                production_environment=not target.preview,
            )
            self.last_id = self.deployment.id
            self._status(gh, self.deployment.url, "in_progress")
            return self.last_id

        return self._call(f"create a deployment in {target.environment!r}", create)

    @property
    def superseded_by(self) -> str | None:
        """The pull request's head once a run of it reported (found here or by the comment)."""
        return self.head.newer if self.head is not None else None

    def finish(
        self, success: bool, environment_url: str | None = None, runs_on: str | None = None
    ) -> None:
        """``success`` with the app URL, or ``failure``, on the deployment ``start`` made; or
        ``inactive`` once a newer run of the pull request deployed: GitHub's state for a
        deployment no longer live, which a newer one's ``auto_inactive`` does not set on a
        transient environment's. `runs_on`: what a preview runs on, for the success status."""
        if self.deployment is None:
            return
        deployment = self.deployment
        state = "success" if success else "failure"

        def post(gh: Github) -> None:
            newer = self._newer_run(gh, deployment.environment)
            if newer is not None:
                described = f"Superseded by {newer[:7]}"
                self._status(gh, deployment.url, "inactive", description=described)
            else:
                self._status(
                    gh, deployment.url, state, environment_url if success else None,
                    description=f"Runs on {runs_on}"[:140] if success and runs_on else None,
                )  # fmt: skip

        self._call(f"mark the deployment {state}", post)

    def deactivate(self, environment: str) -> int | None:
        """``inactive`` on every deployment of ``environment`` not already so; the newest id."""

        def mark_inactive(gh: Github) -> int | None:
            repo = gh.get_repo(self.repository)
            newest: int | None = None
            for n, deployment in enumerate(repo.get_deployments(environment=environment)):
                if n >= MAX_DEACTIVATE:
                    break
                newest = newest or deployment.id
                latest = next(iter(deployment.get_statuses()), None)
                if latest is None or latest.state != "inactive":
                    self._status(gh, deployment.url, "inactive")
            self.last_id = newest
            return newest

        return self._call(f"mark the deployments of {environment!r} inactive", mark_inactive)

    # -- internals ------------------------------------------------------------------------
    def _newer_run(self, gh: Github, environment: str) -> str | None:
        """The pull request's current head when it is not ours and ``environment`` has a
        deployment of it (the newest ``MAX_DEACTIVATE`` are read, and only then)."""
        if self.head is None:
            return None

        def deployed() -> list[str]:
            found = gh.get_repo(self.repository).get_deployments(environment=environment)
            return [d.sha for _, d in zip(range(MAX_DEACTIVATE), found, strict=False)]

        return self.head.newer_run(gh, deployed)

    def _status(
        self,
        gh: Github,
        url: str,
        state: str,
        environment_url: str | None = None,
        *,
        description: str | None = None,
    ) -> None:
        """POST a status with ``log_url`` (PyGithub's create_status only knows ``target_url``)."""
        body: dict[str, str | bool] = {
            "state": state,
            "description": description or f"Space {state.replace('_', ' ')}",
        }
        if self.log_url:
            body["log_url"] = self.log_url
        if environment_url:
            body["environment_url"] = environment_url
        if state == "success":
            body["auto_inactive"] = True
        gh.requester.requestJsonAndCheck("POST", f"{url}/statuses", input=body)

    def _call(self, what: str, fn: Callable[[Github], T]) -> T | None:
        if self.broken or not self.token:
            return None
        from github import GithubException  # lazy: cold start

        gh = open_client(self.token, self.api_url)
        try:
            return fn(gh)
        except GithubException as exc:
            self._fail(what, exc.status, refusal_message(exc.data))
        except Exception as exc:  # a deployment must never fail a deploy
            self._fail(what, None, f"{type(exc).__name__}: {exc}")
        finally:
            gh.close()
        return None

    def _fail(self, what: str, status: int | None, message: str) -> None:
        self.broken = True
        detail = f"HTTP {status}: {message}" if status else message
        if status in (403, 404):
            self.warn(
                f"Could not {what} in {self.repository} ({detail}): the github-token lacks the "
                "`deployments: write` permission. Add it to the job's `permissions:`, or set "
                f"`github-deployment: false`. {_NOT_AFFECTED}"
            )
        else:
            self.warn(f"Could not {what} in {self.repository} ({detail}). {_NOT_AFFECTED}")


def open_client(token: str, api_url: str) -> Github:
    """A PyGithub client for ``api_url`` (GITHUB_API_URL); a few requests, no client-side pacing."""
    from github import Auth, Github  # lazy: cold start

    return Github(
        auth=Auth.Token(token), base_url=api_url, per_page=100, retry=2, timeout=15, lazy=True,
        seconds_between_requests=0.0, seconds_between_writes=0.0,
    )  # fmt: skip
