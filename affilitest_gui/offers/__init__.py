"""Offers to watch: the model, import from networks' exports, expectations and health.

Pure Python, no Qt: the app and `affilitest-offers` share it.
"""
