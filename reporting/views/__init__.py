"""Staff pages of the reporting app: one module per concept."""
