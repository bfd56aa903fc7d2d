"""The app's state and orchestration without widgets: the account the app speaks for and
every batch of checks, shared by the views (and later the scheduler and the tray)."""
