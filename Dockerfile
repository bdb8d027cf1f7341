# Image for the hf-deploy container action.
# GitHub runs container actions as root with the workspace mounted at
# /github/workspace; the action reads inputs from INPUT_* variables.
FROM python:3.11-slim-bookworm

# Nothing from apt: the git index is read with dulwich (hf_action/local/gitindex.py), so neither git
# (and the perl it pulls in) nor git-lfs is installed.
WORKDIR /app

# Exactly the lock file and flags scripts/test uses (tests/test_metadata.py
# checks this line).
COPY requirements/runtime.txt /app/requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r /app/requirements/runtime.txt

COPY entrypoint.py /app/entrypoint.py
COPY action.yml /app/action.yml
COPY hf_action/ /app/hf_action/
# The image runs with PYTHONDONTWRITEBYTECODE: compile the action's modules once here, or every run
# compiles them from source (about 50 ms of a 0.3 s no-op deploy; see bench/results.md, Xet lane).
RUN python -m compileall -q /app/hf_action

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_DISABLE_TELEMETRY=1

ENTRYPOINT ["python", "/app/entrypoint.py"]
