"""Everything of the staff side in Redis: accounts and sessions, the audit log, canned replies,
presence and limits, the directory, partners' proposals. The only modules here that talk to
Redis."""
