"""Facts about the vendor that several layers show: its website and its support contact."""

WEBSITE = "https://affilitest.com"
SUPPORT_CONTACT = "Skype: support.affilitest"
