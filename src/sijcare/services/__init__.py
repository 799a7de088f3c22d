"""Use cases: transactional, audited operations over the core and the database."""
