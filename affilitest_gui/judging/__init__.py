"""Judging a check: its verdict, its health by rules kept as data, an offer's
expectations, and the log's record of it. Pure Python, no Qt: the app, the twins and
the history (which only stores what is judged here) share it.
"""
