"""The one booking engine: places with a capacity, a waitlist, promotion and cancel-all.

Shift signups and event registrations are two kinds of booking (see engine.KINDS);
each domain keeps only its own rules and calls the engine for the rest.
"""
