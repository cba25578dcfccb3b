"""Mapping register rows to commitments: the one-pass keyword matcher behind the evidence rules."""
