"""Numbers: statistics, the audit, flags, the final evaluation, the study's claims, simulations."""
