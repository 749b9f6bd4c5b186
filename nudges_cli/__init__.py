"""``nudges``: the operator's command line for a deployed (or local) Interview Nudges stack."""
