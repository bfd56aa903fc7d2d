"""Runs of checks: one planner for the app and the command line. Pure Python, no Qt."""
