"""The rules of pre-procedure screening, one clinical topic per module.

`sijcare.domain.screening.screen` runs them all; each rule takes the `Case` (the intake
in the context of the procedure time and the knowledge) and returns findings.
"""
