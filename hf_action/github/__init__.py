"""GitHub runner I/O: workflow commands and masking, step outputs and summary, the event, the PR comment."""
