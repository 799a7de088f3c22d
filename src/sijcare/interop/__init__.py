"""Interoperability mappings: FHIR R4 resources, iCalendar, printable documents.

Pure mappings from domain values and plain records to standard formats; the services
fetch what they need and call these.
"""
