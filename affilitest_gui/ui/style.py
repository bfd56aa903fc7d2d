"""The app's few colours, in one place."""

ERROR_COLOR = "#c62828"
OK_COLOR = "#2e7d32"
WARNING_COLOR = "#8d6e00"
BROKEN_COLOR = "#e65100"
MUTED_COLOR = "#757575"

ERROR_STYLE = f"color: {ERROR_COLOR}"
OK_STYLE = f"color: {OK_COLOR}"
WARNING_STYLE = f"color: {WARNING_COLOR}"
MUTED_STYLE = f"color: {MUTED_COLOR}"
SANDBOX_BANNER_STYLE = (
    "background: #fff3cd; color: #5c4400; padding: 6px; font-weight: bold;"
    "border-bottom: 1px solid #e0c36a"
)
BAD_LINE_COLOR = "#fde0dc"
# Light backgrounds for an offer's matrix cells, by health (the cell's words say it too).
HEALTH_TINTS = {
    "ok": "#e8f5e9",
    "warning": "#fff8e1",
    "broken": "#ffebee",
    "not_checked": "#eceff1",
    "cancelled": "#fafafa",
}
