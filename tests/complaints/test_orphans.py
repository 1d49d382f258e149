"""Files no row names (a write whose transaction rolled back) are deleted after a day."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from complaints.models import Attachment
from complaints.models.records import private_storage
from complaints.services.orphans import orphan_files_sweep
from complaints.tasks import orphan_files_sweep_task
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _own_folder(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def written(name: str, *, hours_ago: float) -> Path:
    storage = private_storage()
    stored = storage.save(name, ContentFile(b"%PDF-1.4 personal data"))
    path = Path(settings.PRIVATE_MEDIA_ROOT) / stored
    when = time.time() - hours_ago * 3600
    os.utime(path, (when, when))
    return path


def attached(*, hours_ago: float) -> Path:
    attachment = Attachment(
        complaint=ComplaintFactory(),
        original_name="brief.pdf",
        content_type="application/pdf",
        size=13,
    )
    attachment.file.save("brief.pdf", ContentFile(b"%PDF-1.4 kept"))
    path = Path(attachment.file.path)
    when = time.time() - hours_ago * 3600
    os.utime(path, (when, when))
    return path


def test_an_old_file_no_row_names_goes_and_every_other_file_stays():
    orphan_attachment = written("attachments/0a1b.pdf", hours_ago=30)
    orphan_letter = written("letters/0c1d.pdf", hours_ago=48)
    young_orphan = written("attachments/0e1f.pdf", hours_ago=2)  # its row may be on its way
    kept = attached(hours_ago=24 * 400)
    unrelated = written("annual-reports/2025.csv", hours_ago=24 * 400)

    assert orphan_files_sweep() == 2

    assert not orphan_attachment.exists() and not orphan_letter.exists()
    assert young_orphan.exists() and kept.exists() and unrelated.exists()
    assert orphan_files_sweep() == 0  # a second run changes nothing


def test_the_task_runs_the_sweep_and_an_empty_storage_is_nothing_to_do():
    assert orphan_files_sweep_task.delay().get() == 0
    written("attachments/dead.png", hours_ago=DAY)
    assert orphan_files_sweep_task.delay().get() == 1
