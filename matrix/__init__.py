"""The conformance matrix: small, idiomatic apps per framework and common middleware, run
through asgicheck in-process, in middleware mode and under real servers.

``python matrix/run.py`` writes docs/conformance-matrix.md; see that page. Nothing here is part
of the asgicheck package: the frameworks are optional (the ``matrix`` extra).
"""
