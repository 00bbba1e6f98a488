"""``healthpredict``: run the experiment (or one step), capture the baseline, serve the report.

``main`` is the console script (and ``python -m healthpredict``); ``build_parser`` the parser.
The package: ``parser`` (the command tree and ``--version``), ``options`` (what the commands
share), ``commands/`` (one module per command group: its parsers and handlers), ``tables`` (the
rich tables), ``entry`` (``main``). Start-up is kept light: building the parser imports no
pandas, MLflow, scikit-learn, boto3, XGBoost or uvicorn, so ``--help``, usage errors and the
checks that need no data (the tracking URI's scheme and store, the data file, a port in use, a
batch outside the prepared range of a local storage) answer at once; ``tests/unit/test_cli.py``
checks it.
"""

from healthpredict.cli.entry import main
from healthpredict.cli.parser import build_parser

__all__ = ["build_parser", "main"]
