"""Where a notification goes: the desktop today, Slack, Teams and email next. One
channel protocol; each channel a module. Qt-free: the desktop channel is handed the
function that shows a notification on screen."""
