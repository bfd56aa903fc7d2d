"""Policies around the client: throttle, retry decisions and the batch runner. No Qt."""
