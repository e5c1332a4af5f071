"""The JSON API for outside systems (the EHR, billing): django-ninja under /api/v1/, by API token only.

docs/api.md describes it. Views here are thin: they find the token's clinic's rows, audit each read in the
token's name, and call the same code the staff pages call (interpretation.py for evaluations, the
`actions.py` writes); no clinical rule lives here.
"""
