"""In-process checks of the 2026 pieces: hardware names from the library, protected visibility,
the Streamlit Dockerfile, the RateLimit wait, the keyless preconditions."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import SpaceHardware

from hf_action.errors import InputError
from hf_action.hub import keyless
from hf_action.hub.space import SettingsPlan, SpaceState, library_hardware, plan_settings
from hf_action.hub.transport import reset_after
from hf_action.inputs import parse_inputs
from hf_action.local import streamlit
from hf_action.local.files import LocalFile
from hf_action.request import no_token_error


def parse(tmp_path: Path, **raw: str):
    return parse_inputs(
        {"space": "o/a", "hf-token": "hf_x", **raw},
        tmp_path,
        hardware_names=lambda wanted: library_hardware(),
    )


def test_hardware_names_are_the_librarys(tmp_path):
    assert set(library_hardware()) == {h.value for h in SpaceHardware}
    assert parse(tmp_path, hardware="RTX-PRO-6000").hardware == "rtx-pro-6000"
    with pytest.raises(InputError, match="'cpu-xl' is not allowed"):  # the old hand list had it
        parse(tmp_path, hardware="cpu-xl")


def test_protected_visibility_is_accepted_and_always_sent(tmp_path):
    assert parse(tmp_path, visibility="Protected").visibility == "protected"
    public = SpaceState(exists=True, private=False, hardware="cpu-basic")
    plan = plan_settings(public, None, "protected", None)
    assert plan.visibility == "protected" and plan.describe() == ["visibility → protected"]
    assert plan.changes and not plan.restarts  # no rebuild to wait for
    assert plan_settings(public, None, "public", None).visibility == "public"  # may be protected
    assert plan_settings(public, None, "private", None).visibility == "private"
    assert SettingsPlan(create=False, hardware="t4-small").restarts


def test_streamlit_dockerfile_installs_requirements_and_pins_the_version():
    text = streamlit.dockerfile("app.py", requirements="pandas\n", version="1.67.0")
    assert "pip install --no-cache-dir --upgrade -r requirements.txt" in text
    assert '"streamlit==1.67.0"' in text and "USER user" in text
    assert text.rstrip().endswith(
        'CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]'
    )
    own = streamlit.dockerfile(
        "src/streamlit_app.py", requirements="streamlit>=1.40\n", version=None
    )
    assert "pip install --no-cache-dir streamlit\n" not in own  # requirements already has it
    assert "COPY --chown=user requirements.txt" in own
    bare = streamlit.dockerfile("app.py", requirements=None, version=None)
    assert "requirements.txt" not in bare and "pip install --no-cache-dir streamlit" in bare


def _instruction(text: str, name: str) -> list[str]:
    """The argument list of the exec-form instruction `name` (the last one), as Docker parses it."""
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"{name} [")][-1:]
    return json.loads(line.removeprefix(f"{name} "))


def test_streamlit_dockerfile_quotes_an_awkward_app_name_and_version():
    """A space, quotes, a backslash or a newline in the app's name (the card's app_file) or the
    card's sdk_version stay one argument each: the Dockerfile keeps its lines and its JSON."""
    app = 'my "odd" app\\it\'s\nRUN evil.py'
    text = streamlit.dockerfile(app, requirements=None, version='1.67"\nRUN curl x')
    assert "\nRUN evil" not in text and "\nRUN curl" not in text  # no injected instruction
    assert _instruction(text, "CMD") == [
        "streamlit",
        "run",
        app,
        "--server.port=8501",
        "--server.address=0.0.0.0",
    ]
    assert _instruction(text, "RUN") == [
        "pip",
        "install",
        "--no-cache-dir",
        'streamlit==1.67"\nRUN curl x',
    ]


def test_streamlit_as_docker_keeps_an_own_dockerfile_and_tags_the_card():
    files = {"main.py": LocalFile("main.py", None, 1, content=b"x")}
    wanted, note, missing = streamlit.as_docker(
        files, {"tags": "demo"}, app_file=None, app_port=None, version=None
    )
    assert wanted == {"sdk": "docker", "app_port": 8501, "tags": ["demo", "streamlit"]}
    assert '"run", "main.py"' in files["Dockerfile"].content.decode() and missing is None
    own = {"Dockerfile": LocalFile("Dockerfile", None, 1, content=b"FROM x")}
    wanted, note, _ = streamlit.as_docker(own, {}, app_file=None, app_port=9000, version=None)
    assert own["Dockerfile"].content == b"FROM x" and wanted["app_port"] == 9000
    assert "own Dockerfile" in note


def _response(status: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, headers=headers)


def test_rate_limit_wait_comes_from_the_ratelimit_header():
    assert reset_after(_response(429, RateLimit='"api";r=0;t=2')) == 3.0  # t + 1 s, as the library
    policy = '"fixed window";"api";q=1000;w=300'
    assert (
        reset_after(_response(429, RateLimit='"api";r=0;t=55', **{"RateLimit-Policy": policy}))
        == 56.0
    )
    assert reset_after(_response(429, RateLimit='"api";r=5;t=55', **{"Retry-After": "7"})) == 7.0
    assert reset_after(_response(429)) is None
    assert reset_after(_response(503, **{"Retry-After": "4"})) == 4.0


def test_keyless_needs_both_runner_variables_and_owner_slash_name():
    assert not keyless.oidc_available({keyless.REQUEST_URL: "https://x"})
    assert keyless.oidc_available({keyless.REQUEST_URL: "https://x", keyless.REQUEST_TOKEN: "t"})
    env = {keyless.REQUEST_URL: "https://x", keyless.REQUEST_TOKEN: "t"}
    masked: list[str] = []
    with pytest.raises(Exception, match="owner/name"):
        keyless.exchange("app", "https://huggingface.co", env, masked.append)
    assert masked == ["t"]
    assert "id-token: write" in no_token_error().line
    assert keyless.secrets_key("tok", "o/a", False) == "tok"
    assert keyless.secrets_key("tok1", "o/a", True) == keyless.secrets_key("tok2", "o/a", True)


def test_a_sleep_time_change_alone_is_applied_without_waiting_for_a_rebuild():
    upgraded = SpaceState(exists=True, private=False, hardware="cpu-upgrade", sleep_time=3600)
    plan = plan_settings(upgraded, None, None, 600)
    assert plan.sleep_time == 600 and plan.changes and not plan.restarts
