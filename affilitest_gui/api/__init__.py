"""The AffiliTest API: client, typed results and errors, validation, error catalog. No Qt."""
