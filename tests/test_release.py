"""The release token (config/release.py): the same for the same sources, another after a
change to any of them, so every web worker shares what it kept and a new release shares
nothing with the old one."""

from config.release import release_token


def token_of(settings, base) -> str:
    settings.BASE_DIR = base
    release_token.cache_clear()
    try:
        return release_token()
    finally:
        release_token.cache_clear()


def test_the_token_changes_with_a_template_or_the_code_and_only_then(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "complaints").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ a }}</p>")
    (tmp_path / "complaints" / "views.py").write_text("X = 1\n")
    first = token_of(settings, tmp_path)
    assert token_of(settings, tmp_path) == first
    (tmp_path / "notes.md").write_text("not a source")  # outside the sources: the same
    assert token_of(settings, tmp_path) == first

    page.write_text("<p>{{ b }}</p>")
    second = token_of(settings, tmp_path)
    assert second != first
    (tmp_path / "complaints" / "views.py").write_text("X = 2\n")
    assert token_of(settings, tmp_path) not in (first, second)
