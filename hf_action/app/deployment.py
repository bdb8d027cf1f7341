"""The GitHub Deployment of one run: created before a deploy (``in_progress``), finished by the
report (``success`` with the app URL, or ``failure``), or, when a preview is deleted, every
deployment of its environment marked ``inactive``. Previews get one by default, production
deploys when ``github-deployment: true``; the API calls live in github/deployments.py."""

from __future__ import annotations

from collections.abc import Mapping

from hf_action.github.deployments import Deployments, Target, environment_name, wanted
from hf_action.github.runner import Runner
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome
from hf_action.preview import PullRequest


class RunDeployment:
    """Follows the run: ``started`` by ``open_deployment``, ``finished`` or ``failed`` at the end."""

    def __init__(self, client: Deployments, environment: str, *, deleting: bool) -> None:
        self.client, self.environment, self.deleting = client, environment, deleting

    def finished(self, outcome: Outcome) -> None:
        """A run that worked: success (the app is there), or the deleted preview's deployments
        inactive."""
        if self.deleting:
            if outcome.space_deleted:
                self.client.deactivate(self.environment)
        else:
            self.client.finish(True, outcome.app_url)
        self._record(outcome)

    def failed(self, outcome: Outcome | None) -> None:
        """A run that failed: the deployment it started ends in ``failure``."""
        if not self.deleting:
            self.client.finish(False)
        if outcome is not None:
            self._record(outcome)

    def _record(self, outcome: Outcome) -> None:
        outcome.deployment_id = self.client.last_id
        outcome.environment = self.environment if self.client.last_id else None


def open_deployment(
    inputs: Inputs,
    env: Mapping[str, str],
    runner: Runner,
    pr: PullRequest | None,
    base_id: str,
    space_id: str,
) -> RunDeployment | None:
    """Start this run's deployment when one is wanted; a bad ``environment`` fails here, before
    anything is written to the Hub."""
    deleting = inputs.operation == "delete"
    if inputs.dry_run or inputs.operation not in ("deploy", "delete"):
        return None
    if not wanted(inputs.github_deployment, preview=pr is not None):
        return None
    environment = environment_name(inputs.environment, base_id, pr.number if pr else None)
    repository = env.get("GITHUB_REPOSITORY") or (pr.base_repo if pr else "")
    if not inputs.github_token or not repository:
        return None
    client = Deployments(
        inputs.github_token, repository, env,
        lambda message: runner.warning(message, title="GitHub deployment not recorded"),
    )  # fmt: skip
    if not deleting:
        ref = pr.head_sha if pr else (env.get("GITHUB_SHA") or env.get("GITHUB_REF_NAME") or "")
        if not ref:
            return None
        client.start(Target(environment, ref, space_id, preview=pr is not None))
    return RunDeployment(client, environment, deleting=deleting)
