"""``python -m baseline --s3-bucket-name BUCKET --mlflow-tracking-uri URI``."""

from baseline.cli import main

raise SystemExit(main())
