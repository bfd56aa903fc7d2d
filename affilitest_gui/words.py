"""Small helpers for the words the app says."""


def plural(count: int, word: str) -> str:
    """"1 check", "1,200 checks"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
