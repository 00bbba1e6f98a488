"""Health Predict's command line: ``healthpredict`` (and ``python -m healthpredict``).

The top layer. It composes the pipeline (``pipeline``), the batch-0 capture (``baseline``) and the
report API (``backend``); nothing below imports it.
"""
