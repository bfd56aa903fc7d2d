"""AffiliTest GUI: check affiliate offers' tracking links through the AffiliTest API."""

__version__ = "0.1.0"
APP_NAME = "AffiliTest GUI"
ORGANIZATION = "AffiliTest"
