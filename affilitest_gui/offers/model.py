"""An offer on the watch list: its link, countries, devices and expectations."""

from __future__ import annotations

from dataclasses import dataclass

from affilitest_gui.api.models import CheckRequest, expand_checks
from affilitest_gui.api.validation import DEFAULT_DEVICES, DEVICE_PRESETS
from affilitest_gui.judging.expectations import Expectation, ExpectKind, expectation_for_landing


@dataclass(frozen=True)
class Offer:
    """One offer to watch: a tracking link checked from each country with each device."""

    url: str
    countries: tuple[str, ...]
    devices: tuple[str, ...]
    offer_id: str = ""  # the network's id, if the file has one
    name: str = ""
    expects: tuple[Expectation, ...] = ()
    source: str = ""  # synced from a network platform: "affise:123" ("": a file or by hand)
    platform_status: str = ""  # the platform's word at the last sync ("inactive": gone)
    synced_at: str = ""  # UTC, ISO 8601
    never_auto_pause: bool = False  # the auto-pause rule leaves it alone
    id: int | None = None  # the database row, None until stored

    @property
    def label(self) -> str:
        parts = [part for part in (self.offer_id, self.name) if part]
        return " \u00b7 ".join(parts) if parts else self.url

    @property
    def check_count(self) -> int:
        """The checks (and calls) one run of the offer takes: countries x devices."""
        return len(self.countries) * len(self.devices)

    @property
    def preview_url(self) -> str | None:
        """The preview page the chains must reach (checked with compareToPreview)."""
        return next((e.value for e in self.expects if e.kind is ExpectKind.PREVIEW), None)

    def requests(self, codes: bool = True) -> list[CheckRequest]:
        """Every country x device of the offer as one check each."""
        return expand_checks([self.url], self.countries, self.devices, self.preview_url, codes)


def draft_from_checks(checks: list[tuple[str, str, str, str]]) -> Offer:
    """A new offer made of checks of the log, (url, country, device, final_url): the
    first one's link, every country and device checked with it, and where it landed as
    the expectation, for the offer editor to show before anything is saved."""
    url = checks[0][0]
    same = [check for check in checks if check[0] == url]
    countries = tuple(dict.fromkeys(country for _, country, _, _ in same))
    devices = tuple(dict.fromkeys(device for _, _, device, _ in same if device in DEVICE_PRESETS))
    landings = [expectation_for_landing(final) for _, _, _, final in same if final]
    expects = tuple(dict.fromkeys(e for e in landings if e is not None))
    return Offer(url, countries, devices or DEFAULT_DEVICES, expects=expects)
