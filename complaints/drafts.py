"""The public form's answers between steps: kept in the session, files in private storage.

A draft holds the one-time key of the submission, the raw answers per step (so a step shows
exactly what was typed, also after "back" or an error) and the files already checked. Files are
stored under ``drafts/<key>/`` with random names until the complaint is sent; the draft sweep
deletes what was abandoned.
"""

import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from .models.records import private_storage
from .uploads import CleanFile

SESSION_KEY = "complaint_draft"
# An abandoned draft's files are deleted after this many hours.
DRAFT_HOURS = 48


class Draft:
    def __init__(self, session):
        self.session = session
        stored = session.get(SESSION_KEY)
        if not stored:
            stored = {"key": str(uuid.uuid4()), "steps": {}, "files": []}
        self.data = stored

    @property
    def key(self) -> str:
        return self.data["key"]

    def answers(self, step: str) -> dict:
        return self.data["steps"].get(step, {})

    def keep(self, step: str, answers: dict) -> None:
        self.data["steps"][step] = answers
        self.save()

    @property
    def files(self) -> list[dict]:
        return self.data["files"]

    def add_file(self, clean: CleanFile) -> None:
        file_id = uuid.uuid4().hex
        path = private_storage().save(
            f"drafts/{self.key}/{file_id}.{clean.extension}", ContentFile(clean.content)
        )
        self.files.append(
            {
                "id": file_id,
                "name": clean.name,
                "content_type": clean.content_type,
                "extension": clean.extension,
                "path": path,
            }
        )
        self.save()

    def remove_files(self, ids) -> None:
        ids = set(ids)
        for entry in [f for f in self.files if f["id"] in ids]:
            private_storage().delete(entry["path"])
            self.files.remove(entry)
        self.save()

    def clean_files(self) -> list[CleanFile]:
        storage = private_storage()
        result = []
        for entry in self.files:
            with storage.open(entry["path"], "rb") as handle:
                content = handle.read()
            result.append(
                CleanFile(
                    name=entry["name"],
                    content=content,
                    content_type=entry["content_type"],
                    extension=entry["extension"],
                )
            )
        return result

    def save(self) -> None:
        self.session[SESSION_KEY] = self.data
        self.session.modified = True

    def discard(self) -> None:
        """Forget the draft and delete its files (after sending, or when starting anew)."""
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "drafts" / self.key
        shutil.rmtree(folder, ignore_errors=True)
        self.session.pop(SESSION_KEY, None)


def drafts_sweep(*, hours: int = DRAFT_HOURS) -> int:
    """Delete the files of drafts nobody touched for ``hours``; return how many folders."""
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "drafts"
    if not root.is_dir():
        return 0
    limit = time.time() - hours * 3600
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
