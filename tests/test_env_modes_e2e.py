"""`secrets-mode` / `variables-mode`: `exact` makes the Space hold exactly the listed keys, end to end."""

from __future__ import annotations

from tests.conftest import TOKEN, copy_example

STALE_VALUE = "stale-value-9f8e7d6c"


def deploy(action, **inputs: str):
    return action.run({"space": "user/env", "hf-token": TOKEN, **inputs})


def test_exact_removes_a_stale_secret_and_keeps_the_listed_ones(action, hub, leak_guard):
    copy_example("gradio-hello", action.workspace)
    leak_guard.append(STALE_VALUE)
    deploy(
        action,
        secrets=f"API_KEY=key-one-123456\nOLD_NAME={STALE_VALUE}\n",
        variables="MODEL=m1\nOLD_VAR=v\n",
    ).assert_ok()
    repo = hub.repo("user/env")
    assert set(repo.secrets) == {"API_KEY", "OLD_NAME"}
    assert set(repo.variables) == {"MODEL", "OLD_VAR"}

    # OLD_NAME renamed to NEW_NAME in the workflow: merge (the default) leaves it on the Space.
    merged = deploy(action, secrets="API_KEY=key-one-123456\nNEW_NAME=new-value-123456\n")
    merged.assert_ok()
    assert set(repo.secrets) == {"API_KEY", "OLD_NAME", "NEW_NAME"}

    listed = "API_KEY=key-one-123456\nNEW_NAME=new-value-123456\n"
    dry = deploy(action, secrets=listed, **{"secrets-mode": "exact", "dry-run": "true"}).assert_ok()
    assert "secrets to delete: OLD_NAME;" in dry.stdout
    assert "| Secrets & variables to delete | `OLD_NAME` |" in dry.summary
    assert set(repo.secrets) == {"API_KEY", "OLD_NAME", "NEW_NAME"}  # a dry run deletes nothing

    restarts = hub.counters.restarts
    exact = deploy(action, secrets=listed, **{"secrets-mode": "exact"}).assert_ok()
    assert repo.secrets == {"API_KEY": "key-one-123456", "NEW_NAME": "new-value-123456"}
    assert set(repo.variables) == {"MODEL", "OLD_VAR"}  # variables-mode is still merge
    assert "Deleting secrets (OLD_NAME) and variables (none)" in exact.stdout
    assert "| Secrets & variables deleted | `OLD_NAME` |" in exact.summary
    assert exact.outputs["stage"] == "RUNNING"
    # The deletion restarted the Space, and the watch saw it run again.
    assert hub.counters.restarts > restarts

    deploy(action, variables="MODEL=m1\n", **{"variables-mode": "exact"}).assert_ok()
    assert set(repo.variables) == {"MODEL"} and set(repo.secrets) == {"API_KEY", "NEW_NAME"}


def test_exact_with_nothing_to_delete_changes_nothing(action, hub):
    copy_example("gradio-hello", action.workspace)
    listed = {"secrets": "API_KEY=key-one-123456\n", "secrets-mode": "exact"}
    deploy(action, **listed).assert_ok()
    hub.counters.reset()
    again = deploy(action, **listed).assert_ok()
    assert hub.counters.restarts == 0
    assert not [k for k in hub.counters.requests if k.startswith("DELETE ")]
    assert "secrets to delete" not in again.stdout
