"""Interview Nudges: the shared layer (domain rules, edge models, AWS adapters, services)."""
