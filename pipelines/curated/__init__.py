"""Curated inputs read and checked: the declaration, codebook, indicator catalogue and registers."""
