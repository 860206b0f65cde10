"""Platform of Schouders: what every instrument and register builds on.

One job per module, and nothing here imports the instruments, the registers or the web app:

- ``config``: database URL, cookie key, public URL, trusted proxies, and the limits (sessions,
  invites, throttling, passwords);
- ``db`` and ``upsert``: engine, one transaction per unit of work, insert-or-update;
- ``models``: the declarative ``Base`` shared by every schema, and the platform's own tables
  (municipalities, users, memberships, sessions, login attempts, invites, secrets, audit log);
- ``migrate`` and ``migrations/``: Alembic, run programmatically (all tables of all instruments:
  one database, one revision history);
- ``access``: roles per municipality and the checks (401/403/404) every route goes through;
- ``errors``: input errors per form field;
- ``passwords``: argon2id hashing and the strength check;
- ``signing``: random tokens, their digests, HMAC signing, the cookie key;
- ``audit``: who changed what;
- ``accounts``: users, municipalities, memberships, passwords and blocking;
- ``invites``: one-time invite links;
- ``throttle``: failed-login bookkeeping per (account, address) and per address;
- ``sessions``: logging in and out, server-side sessions.
"""
