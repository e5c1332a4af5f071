"""facetpath: the facet-joint pathway for pain clinics (clinical core, command line, web application)."""

__version__ = "0.1.0"
