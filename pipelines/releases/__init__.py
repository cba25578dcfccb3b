"""Frozen publications: a release is a dated, never-overwritten copy of the report and its data."""
