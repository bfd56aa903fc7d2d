"""The widgets. They never call requests: every API call goes through the worker."""
