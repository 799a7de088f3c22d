"""One module per migration, applied in order by `sijcare.db.migrate.upgrade`."""
