"""Outputs: results and every form they leave in.

`results` (frozen dataclasses; never imports rich), `schema` (the JSON report's schema), `report`,
`report_words` and `report_html` (rendering), `platforms`, `gradescope` and `prairielearn` (platform files and
packages), `lms`, `class_stats` and `class_report` (a class's gradebook and report), `provenance` (what a
report was graded with), `neutral` (text made safe for terminals and spreadsheets), `atomic` (the one helper
that writes files).
"""
