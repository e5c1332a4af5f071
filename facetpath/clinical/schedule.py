"""When the software asks for pain scores: the diagnostic diary's time points and the follow-up rhythm.

Workflow timing, not a rule a policy judges by: a policy reads whatever scores a case holds. It lives in
the core because the procedure record (the staff's diary sheet, the worklist stage) and the patient's
diary (the default times of the diary link) both need it, and the core is the one place below both.
"""

from __future__ import annotations

from typing import Final

# The diagnostic diary's time points, minutes after the block: every 15 minutes for the first hour, then
# hourly to 8 hours, as one practice asks (clinical-guidelines.md §2.15). The staff's diary sheet shows
# them and the patient's diary link offers them by default.
DIARY_SCHEDULE_MINUTES: Final = (15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480)

# A diagnostic diary counts as running on the day of the block and this many days after (facetpath
# convention): until then an incomplete sheet is still being filled in, not waiting for review.
DIARY_RUNNING_DAYS: Final = 1

# A therapeutic injection or an RFA is followed up this often while the patient is in follow-up
# (facetpath convention; about three months, the shortest repeat interval the policies know).
FOLLOW_UP_EVERY_DAYS: Final = 90
