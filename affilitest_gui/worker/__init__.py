"""The Qt worker: every API call of the app runs here, off the GUI thread. No widgets."""
