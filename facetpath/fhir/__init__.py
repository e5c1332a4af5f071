"""FHIR R4: facetpath's records as resources (export, the patient's bundle, bulk NDJSON) and a Bundle read
back into a `facetpath.case/1` document (imports.py, no Django). docs/fhir.md."""
