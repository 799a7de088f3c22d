"""FHIR R4 for the pathway: the export Bundle, the published Questionnaires, the import.

- `bundle.export_bundle(PathwayExport)`: a patient's whole pathway as one Bundle;
- `questionnaires` and `responses`: the screening, consent, diary and symptom forms as
  Questionnaires, and their responses to and from sijcare's own formats;
- `fhir_import.read_bundle(text, patient)`: what a bundle can pre-fill in the screening
  answers, and a report of what was taken and what was not understood.

Every resource is a model of `fhir.resources.R4B` (FHIR R4B, wire-compatible with R4 for
every resource used here), validated when it is built. The codes are in
`sijcare/interop/codes.toml`. Pure: no database, no clock; the services pass records in.
"""
