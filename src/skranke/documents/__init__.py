"""PDF documents: take-home labels and the yearly narcotics statement (DESIGN §1
"Controlled-substance accounts", §5 fpdf2).

Pure rendering: each module takes frozen dataclasses of its own and returns PDF bytes. Nothing
here reads the store, the services or the clock (an import-linter contract holds it): the caller
gathers the data and says when the document is made, so the same input gives the same page.
"""
