"""Files that no row names: written by a request whose transaction was then rolled back.

An attachment or a letter's PDF is written to storage before the row that names it is
committed (the row needs the file's name). When the transaction rolls back afterwards (a
refused move, a stale page, a lost connection), the row is gone and the file stays. Such a
file holds personal data that nothing shows and that retention would never find, so
``orphan_files_sweep`` (daily, ``CELERY_BEAT_SCHEDULE`` "orphan-files-sweep") deletes every
file in the folders of these fields that is older than a day and named by no row. A day is
far longer than any transaction, so a file whose row is still being committed is never
touched. Safe to run twice or at the same time: deleting a file that is already gone is
nothing. The folders are flat (random names), read once per run; the names are checked
against the database a thousand at a time.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from complaints.models import Attachment, Letter
from complaints.models.records import private_storage

log = logging.getLogger(__name__)

# The folder of each file field's ``upload_to`` (attachment_path, letter_path), and its field.
FOLDERS = (("attachments", Attachment, "file"), ("letters", Letter, "pdf"))
MIN_AGE = timedelta(days=1)
BATCH = 1000


def orphan_files_sweep(*, min_age: timedelta = MIN_AGE) -> int:
    """Delete the files no row names that are older than ``min_age``; return how many."""
    storage = private_storage()
    limit = timezone.now() - min_age
    removed = 0
    for folder, model, field in FOLDERS:
        if not storage.exists(folder):
            continue
        _folders, files = storage.listdir(folder)
        names = [f"{folder}/{name}" for name in files]
        for start in range(0, len(names), BATCH):
            chunk = names[start : start + BATCH]
            named = set(
                model.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
            )
            for name in chunk:
                if name in named:
                    continue
                try:
                    if storage.get_modified_time(name) >= limit:
                        continue
                    storage.delete(name)
                except FileNotFoundError:  # deleted meanwhile (retention, a second sweep)
                    continue
                removed += 1
    if removed:
        log.info("orphan files: %s deleted (named by no attachment or letter)", removed)
    return removed
