"""python manage.py annual_report --year 2026 --format csv|xlsx|pdf --output PATH

The annual report of Awb 9:12a (reporting.annual): the publishable summary and the anonymised
register of the written complaints received in the year."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reporting.annual import FIRST_YEAR, FORMATS, annual_report_write


class Command(BaseCommand):
    help = "Write the annual complaints report (Awb 9:12a) of a year as CSV, XLSX or PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The year, for example 2026.")
        parser.add_argument("--format", required=True, help="csv, xlsx or pdf.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the titles and labels (default: %(default)s).",
        )

    def handle(self, *args, year, output, language, **options):
        file_format = options["format"]
        this_year = timezone.localdate().year
        try:
            year = int(year)
        except ValueError:
            message = f"--year must be a year such as {this_year}, not {year!r}."
            raise CommandError(message) from None
        if not FIRST_YEAR <= year <= this_year:
            raise CommandError(f"--year must be between {FIRST_YEAR} and {this_year}, not {year}.")
        file_format = file_format.lower()
        if file_format not in FORMATS:
            choices = ", ".join(FORMATS)
            raise CommandError(f"--format must be one of {choices}, not {file_format!r}.")
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"--output {output} is a folder; give a file name.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder of --output does not exist: {path.parent}")
        verbose = options.get("verbosity", 1) > 1

        def progress(percent: int) -> None:
            if verbose:
                self.stderr.write(f"{percent}%")

        try:
            with path.open("wb") as out, translation.override(language):
                annual_report_write(year=year, file_format=file_format, out=out, progress=progress)
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror or error}") from error
        self.stdout.write(f"Wrote the annual report {year} ({file_format}) to {path}")
