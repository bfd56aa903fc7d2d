"""The results log on disk: every check, hop by hop, in SQLite. No Qt."""
