"""Benchmark of hf-deploy against two baselines and the sha256sum floor, on hubsim (see README.md)."""
