"""Chains explained: which party each hop is, and whether the click ID survives.

Pure Python, no Qt: the log, the offers and the command-line twins share it.
"""
