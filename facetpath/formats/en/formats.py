"""One way to write a date in English pages: "3 Dec 2026" and "3 Dec 2026 14:30" (never "Dec. 3, 2026" beside
"2026-12-17"). Django reads this through FORMAT_MODULE_PATH; Spanish keeps Django's own formats."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
