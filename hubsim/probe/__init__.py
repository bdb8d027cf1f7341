"""A probe of the real Hub where the record is silent, and a classifier of what it recorded.

``python -m hubsim.probe`` runs a scripted sequence on scratch Spaces it creates and deletes,
and records every request and answer (redacted before anything is written) as cassettes;
``python -m hubsim.probe.classify`` reads cassettes and names, for each hubsim variant knob,
the value production showed. The round trip against hubsim itself (tests/hubsim/
test_probe_round_trip.py) proves both before anyone spends a token. See docs/development.md.
"""
