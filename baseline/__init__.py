"""Batch 0 capture: the Production model on ``initial_test``, logged as the report's first row.

Use ``baseline.capture.capture_baseline`` (the CLI, ``healthpredict baseline`` and the API's
``POST /baseline`` all call it); ``python -m baseline`` is the stand-alone command.
"""
