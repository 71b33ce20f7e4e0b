"""Everything of the chat in Redis. The only modules that talk to Redis (ruff's TID251 holds it);
each is one part of the keyspace.
"""
