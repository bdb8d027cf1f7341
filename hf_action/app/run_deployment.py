"""This run's GitHub Deployment (github/deployments.py): started before the Hub is written to, then
``success`` or ``failure``, or its preview's deployments ``inactive`` once the preview is deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.inputs import Inputs, deployment_wanted
from hf_action.outcome import Outcome

if TYPE_CHECKING:
    from hf_action.github.deployments import Deployments
    from hf_action.github.heads import PullHead


class RunDeployment:
    """Follows the run: ``started`` by ``open_deployment``, ``finished`` or ``failed`` at the end;
    ``recorded`` is what the outcome reports of it."""

    record, left_alone = "the deployment's status", "marked its own deployment inactive"

    def __init__(self, client: Deployments, environment: str, *, deleting: bool) -> None:
        self.client, self.environment, self.deleting = client, environment, deleting

    def finished(self, outcome: Outcome) -> None:
        """A run that worked: success (the app is there), or the deleted preview's deployments
        inactive."""
        if self.deleting:
            if outcome.space_deleted:
                self.client.deactivate(self.environment)
        else:
            self.client.finish(True, outcome.app_url, outcome.runs_on)

    def failed(self) -> None:
        """A run that failed: the deployment it started ends in ``failure``."""
        if not self.deleting:
            self.client.finish(False)

    @property
    def recorded(self) -> tuple[int | None, str | None]:
        """The deployment made (or marked inactive), and its environment when there is one."""
        last = self.client.last_id
        return last, self.environment if last else None


def open_deployment(
    inputs: Inputs, where: Destination, ctx: RunContext, head: PullHead | None = None
) -> RunDeployment | None:
    """Start this run's deployment when one is wanted; a bad ``environment`` fails here, before
    anything is written to the Hub. With ``head``, none is made once a newer run deployed."""
    github, runner, pr = ctx.github, ctx.runner, where.pr
    deleting = inputs.operation == "delete"
    if inputs.dry_run or inputs.operation not in ("deploy", "delete"):
        return None
    if not deployment_wanted(inputs.github_deployment, preview=pr is not None):
        return None
    from hf_action.github.deployments import Deployments, NewDeployment, environment_name

    environment = environment_name(inputs.environment, where.base_id, pr.number if pr else None)
    repository = github.repository or (pr.base_repo if pr else "")
    if not inputs.github_token or not repository:
        return None
    client = Deployments(
        inputs.github_token, repository, github,
        lambda message: runner.warning(message, title="GitHub deployment not recorded"),
        head=head,
    )  # fmt: skip
    if not deleting:
        ref = pr.head_sha if pr else (github.sha or github.ref_name)
        if not ref:
            return None
        client.start(NewDeployment(environment, ref, where.space_id, preview=where.preview))
    return RunDeployment(client, environment, deleting=deleting)
