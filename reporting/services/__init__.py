"""Every write of the reporting app (STYLE.md): the learning loop in ``learning``."""
