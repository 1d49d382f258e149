"""Sessions in the database, read through the cache, that keep working when the cache is down.

Django's ``cached_db`` store already logs and carries on when reading or saving to the cache
fails, but not in ``load`` (when it refills the cache from the database), ``exists`` (asked for
every new session) and ``delete`` (sign-out): with Redis down, every visitor would get an
error page. The database holds every session anyway, so these fall back to it too.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import DatabaseError, router

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def _validate_session_key(self, key):
        """Django's test, and only the letters and digits its keys are made of: a cookie with
        a NUL character in it failed the look-up in the database with a server error on every
        page; now it counts as no session."""
        return bool(key) and len(key) >= 8 and key.isascii() and key.isalnum()

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 -- the cache is down, or the key is bad
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:  # noqa: BLE001 -- the cache is down: read from the database next time
            logger.warning("session cache unreachable; read from the database")
        return data

    def save(self, must_create=False):
        """Django's, but the update of an existing session is one statement, which commits by
        itself: Django runs it in a transaction of its own (BEGIN, UPDATE, COMMIT), which only
        a new session's insert needs (to tell a key taken meanwhile). Every request that changes
        its session (each step of the public form, its submission, signing in) makes two round
        trips to the database fewer. Inside a caller's transaction it is part of that one."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        data = self._get_session()
        row = self.create_model_instance(data)
        try:
            row.save(force_update=True, using=router.db_for_write(self.model, instance=row))
        except DatabaseError as error:  # no row to update: it expired, or was signed out
            raise UpdateError from error
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:  # as Django's: the database has it
            logger.exception("Error saving to cache (%s)", self._cache)

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001 -- the cache is down: the database decides
            logger.warning("session cache unreachable; checking the database only")
        return DatabaseStore.exists(self, session_key)

    def delete(self, session_key=None):
        DatabaseStore.delete(self, session_key)  # a database error is not swallowed
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001 -- deleted in the database; the cache entry expires
            logger.warning("session cache unreachable; deleted in the database only")
