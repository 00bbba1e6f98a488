"""``healthpredict``: run the experiment (or one step), capture the baseline, serve the report.

Progress goes to stderr as log lines with step names and timings; results go to stdout. Expected
failures (``HealthPredictError``: bad data, unreachable MLflow, missing bucket, a batch outside the
prepared range...) print one ``error: ...`` line and exit with the error's code, no traceback.

Start-up is kept light: building the parser imports no pandas, MLflow, scikit-learn, boto3,
XGBoost or uvicorn, so ``--help``, usage errors and the checks that need no data (the tracking
URI's scheme, the data file, a batch outside the prepared range of a local storage) answer at
once. Each command imports what it needs inside its handler. To add a subcommand, write an
``_add_<name>(commands)`` that builds its parser and sets ``handler``, and call it from
``build_parser``; ``tests/unit/test_cli.py`` checks that ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pipeline.core import config
from pipeline.core.errors import HealthPredictError
from pipeline.core.uris import install_log_redaction, redact_text, redact_uri

if TYPE_CHECKING:
    from typing import TypeAlias

    from rich.console import Console

    from healthpredict.experiment import BatchOutcome, ExperimentResult, TrainingOptions
    from pipeline.data.storage import Storage
    from pipeline.replay.engine import ReplayResult

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

logger = logging.getLogger(__name__)

PROG: Final = "healthpredict"
DEFAULT_HPO_TRIALS: Final = 4  # mirrors training.DEFAULT_N_TRIALS without importing XGBoost
DEFAULT_BATCH_SIZE: Final = 2000  # mirrors batches.DEFAULT_BATCH_SIZE
PIPED_WIDTH: Final = 120
DEFAULT_REPORT_FILE: Final = "report.html"
REPLAY_PIPED_WIDTH: Final = 140  # the replay table's policy labels are long
NOISY_LOGGERS: Final = ("mlflow", "alembic", "urllib3", "botocore", "httpx")
Command = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose subcommands report unknown options with their own usage.

    Plain argparse hands a subcommand's unrecognised arguments back to the top-level parser,
    which prints the top-level usage; here the parser that saw them refuses them.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


# --- Arguments ------------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _batch_number(text: str) -> int:
    if text.strip() == "0":
        raise argparse.ArgumentTypeError("batch 0 is the baseline: run `healthpredict baseline`")
    return _positive_int(text)


def _add_tracking(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tracking-uri",
        default=None,
        metavar="URI",
        help="the MLflow store to log to: http(s)://host:port, sqlite:///file.db, postgresql://... "
        "(default: $MLFLOW_TRACKING_URI, else SQLite in the state folder $HEALTHPREDICT_HOME)",
    )


def _add_storage(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--storage",
        default=None,
        metavar="DIR|s3://BUCKET[/PREFIX]",
        help="where the data splits and batches are kept: a local folder or an S3 bucket "
        "(default: $HEALTHPREDICT_STORAGE, else storage/ in the state folder)",
    )
    parser.add_argument(
        "--s3-endpoint-url",
        default=None,
        metavar="URL",
        help="S3-compatible endpoint such as MinIO, for s3:// storage "
        "(default: $MLFLOW_S3_ENDPOINT_URL, else AWS)",
    )


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default=None,
        metavar="PATH",
        help="the raw data set: diabetic_data.csv or the zip as distributed by UCI "
        "(default: $HEALTHPREDICT_DATA, then the cache, then a one-time download)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=config.DEFAULT_SEED,
        metavar="N",
        help="random seed for cutting the batches and for training; the same seed gives the "
        "same batches and models (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="ROWS",
        help="encounters per drift batch (default: %(default)s)",
    )


def _add_trials(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hpo-trials",
        type=_positive_int,
        default=DEFAULT_HPO_TRIALS,
        metavar="N",
        help="hyper-parameter settings tried per training; more is slower and rarely better "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--refit-on-validation",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after early stopping picks the best trial on validation, refit its params on "
        "train + validation (default: %(default)s)",
    )


def _training_options(args: argparse.Namespace) -> TrainingOptions:
    from healthpredict.experiment import TrainingOptions

    return TrainingOptions(n_trials=args.hpo_trials, refit_on_validation=args.refit_on_validation)


def _subcommands(parser: argparse.ArgumentParser, dest: str) -> Subcommands:
    return parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")


def _command(
    commands: Subcommands,
    name: str,
    summary: str,
    description: str,
    handler: Command,
    options: Sequence[Callable[[argparse.ArgumentParser], None]] = (),
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary, its help page's description and its handler."""
    parser = commands.add_parser(name, help=summary, description=description)
    for add_options in options:
        add_options(parser)
    parser.set_defaults(handler=handler)
    return parser


def _add_experiment(commands: Subcommands) -> None:
    experiment = commands.add_parser(
        "experiment",
        help="run the whole experiment, or only prepare its data",
        description="Run the whole experiment, or only prepare its data.",
    )
    steps = _subcommands(experiment, "experiment_command")
    run = _command(
        steps,
        "run",
        "prepare, train, baseline and batches 1-5, then print the table",
        "Prepare the data, train and promote the initial model, capture the baseline, run "
        "batches 1-5, then print the table.",
        _experiment_run,
        (_add_data, _add_tracking, _add_storage, _add_trials),
    )
    run.add_argument(
        "--no-replay",
        dest="replay",
        action="store_false",
        help="skip the policy replay at the end (see `healthpredict replay`)",
    )
    run.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the store already holds a complete run-through",
    )
    _command(
        steps,
        "prepare",
        "split the data and cut the batches into the storage",
        "Split the raw data (initial train/validation/test, future) and cut batches 1-5 into "
        "the storage, with a manifest.",
        _experiment_prepare,
        (_add_data, _add_storage),
    )


def _add_train_initial(commands: Subcommands) -> None:
    _command(
        commands,
        "train-initial",
        "train, register and promote the initial model",
        "Train on the initial split (hyper-parameter search over XGBoost), register the model "
        "and make it Production.",
        _train_initial,
        (_add_tracking, _add_storage, _add_trials),
    )


def _add_batch(commands: Subcommands) -> None:
    batch = commands.add_parser(
        "batch", help="run one batch", description="Run one prepared batch."
    )
    batch_run = _command(
        _subcommands(batch, "batch_command"),
        "run",
        "drift check, retraining if needed, quality gate",
        "Check the batch for drift, retrain when the drift share reaches the threshold (or "
        "when forced), and run the quality gate.",
        _batch_run,
    )
    batch_run.add_argument(
        "number",
        type=_batch_number,
        help="the batch, 1 to the last prepared one (batch 0 is `healthpredict baseline`)",
    )
    batch_run.add_argument(
        "--force-retrain",
        action="store_true",
        help="train a candidate and run the gate even when the batch shows no drift",
    )
    for add_options in (_add_tracking, _add_storage, _add_trials):
        add_options(batch_run)


def _add_baseline(commands: Subcommands) -> None:
    from baseline.cli import DESCRIPTION, add_arguments

    _command(
        commands,
        "baseline",
        "capture batch 0: the Production model on initial_test",
        DESCRIPTION,
        _baseline,
        (add_arguments,),
    )


def _add_serve(commands: Subcommands) -> None:
    from backend.server import DEFAULT_HOST, DEFAULT_PORT, port_number

    serve = _command(
        commands,
        "serve",
        "serve the report (API + page)",
        "Serve the report API and page; the URL is printed once it listens.",
        _serve,
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on; 0.0.0.0 for every interface (default: %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="TCP port to listen on, 1-65535 (default: %(default)s)",
    )


def _add_report(commands: Subcommands) -> None:
    report = commands.add_parser(
        "report", help="the experiment report as a file", description="The report as a file."
    )
    export = _subcommands(report, "report_command").add_parser(
        "export",
        help="one self-contained HTML file (and a PDF) that opens offline",
        description="Write the report, read from MLflow the way `serve` reads it, as one HTML "
        "file with every section, chart and its data inside; it opens from file:// without "
        "network. The same store gives the same bytes.",
    )
    export.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_REPORT_FILE),
        metavar="FILE",
        help="the HTML file to write (default: %(default)s)",
    )
    export.add_argument(
        "--pdf",
        type=Path,
        default=None,
        metavar="FILE",
        help="also print the report to this PDF (A4) with headless Chromium",
    )
    export.add_argument(
        "--generated-at",
        default=None,
        metavar="ISO-TIME",
        help="a generation time to stamp into the file, e.g. 2026-11-27T10:00:00Z "
        "(default: none; the file holds no clock)",
    )
    export.add_argument(
        "--tracking-uri",
        default=None,
        metavar="URI",
        help="the MLflow store to read (default: $MLFLOW_TRACKING_URI, else SQLite in the "
        "state folder $HEALTHPREDICT_HOME, as `serve` reads it)",
    )
    export.set_defaults(handler=_report_export)


def _add_replay(commands: Subcommands) -> None:
    replay = commands.add_parser(
        "replay",
        help="replay batches 1-5 under other retraining policies (results to MLflow)",
        description="Replay batches 1-5 from storage under each retraining policy, starting "
        "from the initial model. By default the initial search's best hyper-parameters are "
        "fixed (early-stopped, no refit) to stay fast; --exact uses the pipeline's own search.",
    )
    replay.add_argument(
        "--policies",
        default=None,
        help="comma-separated trigger[:training_policy[:validation]], e.g. "
        "never,drift:all_data:initial,drift:window:newest (default: the standard set). "
        "Triggers: never, always, drift, performance; training policies: all_data, "
        "recent_weighted, window; validation: initial, newest",
    )
    replay.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="random seed for training the replayed candidates (default: the prepared seed)",
    )
    replay.add_argument(
        "--exact",
        action="store_true",
        help="replay the configured policy with the pipeline's own training settings and "
        "compare with the decisions and AUCs it logged",
    )
    replay.add_argument(
        "--gate",
        choices=("standard", "above_chance"),
        default="standard",
        help="above_chance also refuses a candidate whose AUC interval lies below 0.5",
    )
    _add_tracking(replay)
    _add_storage(replay)
    _add_trials(replay)
    replay.set_defaults(handler=_replay)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG, description="Health Predict: the drift-aware readmission experiment."
    )
    commands = _subcommands(parser, "command")
    _add_experiment(commands)
    _add_train_initial(commands)
    _add_batch(commands)
    _add_baseline(commands)
    _add_replay(commands)
    _add_serve(commands)
    _add_report(commands)
    return parser


# --- Commands -------------------------------------------------------------------------------
def _tracking_uri(args: argparse.Namespace) -> str:
    """The store's URI, its scheme checked before MLflow loads."""
    return config.check_tracking_uri(str(args.tracking_uri or config.default_tracking_uri()))


def _open_storage(args: argparse.Namespace) -> Storage:
    from pipeline.data.storage import open_storage

    return open_storage(
        args.storage or config.default_storage(), s3_endpoint_url=args.s3_endpoint_url
    )


def _store_exists(tracking_uri: str) -> bool:
    """False for a SQLite store whose file does not exist yet (nothing to find in it)."""
    database = config.sqlite_path(tracking_uri)
    return database is None or database.is_file()


def _experiment_run(args: argparse.Namespace) -> int:
    tracking_uri = _tracking_uri(args)
    storage = _open_storage(args)
    if args.if_missing and _store_exists(tracking_uri):
        from healthpredict import experiment
        from pipeline.tracking import client as tracking

        client = tracking.configure(tracking_uri)  # first: an unreachable server fails fast
        if experiment.is_complete(client, storage):
            sys.stdout.write(
                f"already there: {storage.describe()} and {redact_uri(tracking_uri)} hold a "
                "complete run-through; nothing to do\n"
            )
            return 0
    from pipeline.data import raw as data

    data_file = data.locate(args.data)  # before any store is created: no data, no state
    from healthpredict import experiment
    from pipeline.tracking import client as tracking

    tracking.configure(tracking_uri)  # an unreachable server fails before the long part
    result = experiment.run_all(
        data_file,
        tracking_uri,
        storage,
        seed=args.seed,
        batch_size=args.batch_size,
        options=_training_options(args),
        replay=args.replay,
    )
    _print_experiment_table(result)
    if result.replay is not None:
        _print_replay(result.replay)
    return 0


def _replay(args: argparse.Namespace) -> int:
    from pipeline.replay import policies
    from pipeline.tracking import client as tracking

    chosen = (
        None
        if args.policies is None
        else [policies.Policy.parse(text) for text in args.policies.split(",") if text.strip()]
    )
    if chosen is not None:
        policies.check_unique(chosen)
    storage = _open_storage(args)
    client = tracking.configure(_tracking_uri(args))
    from healthpredict import experiment
    from pipeline.replay import engine as replay

    manifest = experiment.read_manifest(storage)
    options = _training_options(args)
    exact = options.settings(manifest) if args.exact else None
    if exact is not None and args.seed is not None:
        exact = replace(exact, seed=args.seed)
    if chosen is None and args.exact:
        chosen = [options.policy]
    result = replay.run_replay(
        client,
        storage,
        chosen,
        exact_settings=exact,
        configured=options.policy,
        gate=args.gate,
        seed=args.seed,
    )
    _print_replay(result)
    if args.exact:
        configured = [r for r in result.results if r.configured]
        if not configured:
            sys.stdout.write("the configured policy was not replayed: nothing to compare\n")
            return 0
        fidelity = replay.compare_with_pipeline(client, configured[0])
        sys.stdout.write(
            f"exact replay of {configured[0].policy.label} against the logged run: "
            f"{fidelity.batches - len(fidelity.decision_mismatches)}/{fidelity.batches} "
            f"decisions match, largest AUC difference {fidelity.max_auc_difference:.2e}\n"
        )
        for line in fidelity.decision_mismatches:
            sys.stdout.write(f"  {line}\n")
        return 0 if fidelity.reproduced else 1
    return 0


def _experiment_prepare(args: argparse.Namespace) -> int:
    storage = _open_storage(args)
    from pipeline.data import raw as data

    data_file = data.locate(args.data)
    from healthpredict import experiment

    manifest = experiment.prepare(data_file, storage, args.seed, args.batch_size)
    lines = [f"prepared {storage.describe()} (seed {manifest.seed})"]
    lines += [f"  batch {b.number}: {b.rows} rows, {b.profile}" for b in manifest.batches]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _train_initial(args: argparse.Namespace) -> int:
    tracking_uri = _tracking_uri(args)
    storage = _open_storage(args)
    from pipeline.data.manifest import read_manifest

    read_manifest(storage)  # refuse early, before MLflow: nothing to train on
    from healthpredict import experiment
    from pipeline.core import contract
    from pipeline.tracking import client as tracking

    client = tracking.configure(tracking_uri)  # an unreachable server fails fast
    outcome = experiment.train_initial(client, storage, _training_options(args))
    sys.stdout.write(
        f"{contract.model_version_uri(outcome.model_version)} is Production "
        f"(validation AUC {outcome.training.validation_auc:.4f}, "
        f"run {outcome.training.run_id})\n"
    )
    return 0


def _batch_run(args: argparse.Namespace) -> int:
    tracking_uri = _tracking_uri(args)
    storage = _open_storage(args)
    from pipeline.data.manifest import read_manifest

    # The range is known only once the data is prepared: read it from the manifest, before MLflow.
    read_manifest(storage).info(args.number)
    from healthpredict import experiment
    from pipeline.tracking import client as tracking

    client = tracking.configure(tracking_uri)
    outcome = experiment.run_batch(
        client,
        storage,
        args.number,
        force_retrain=args.force_retrain,
        options=_training_options(args),
    )
    _print_batch_table([outcome])
    return 0


def _baseline(args: argparse.Namespace) -> int:
    from baseline.cli import run as run_baseline

    return run_baseline(args)


def _serve(args: argparse.Namespace) -> int:
    from backend.server import serve

    serve(args.host, args.port)
    return 0


def _report_export(args: argparse.Namespace) -> int:
    tracking_uri = _tracking_uri(args)
    if not _store_exists(tracking_uri):
        raise HealthPredictError(
            f"no MLflow store at {redact_uri(tracking_uri)}: run `healthpredict experiment run` "
            "first, or pass --tracking-uri"
        )
    from backend.export_files import write_report
    from backend.settings import load_settings

    exported = write_report(
        load_settings(tracking_uri=tracking_uri), args.out, args.pdf, args.generated_at
    )
    pdf = f" and {exported.pdf}" if exported.pdf else ""
    sys.stdout.write(
        f"wrote {exported.html} ({exported.html_bytes / 1e6:.2f} MB){pdf} "
        f"in {exported.seconds:.1f} s\n"
    )
    return 0


# --- Output ---------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _batch_rows(outcomes: Sequence[BatchOutcome]) -> list[list[str]]:
    rows = []
    for o in outcomes:
        seconds = sum(o.timings.values())
        rows.append(
            [
                str(o.batch),
                o.profile,
                _fmt(o.drift_share, 2),
                str(o.decision),
                _fmt(o.prod_auc),
                _fmt(o.new_auc) if o.retrained else "—",
                o.model_version or "—",
                _fmt(seconds, 1),
            ]
        )
    return rows


BATCH_COLUMNS: Final = (
    "batch",
    "profile",
    "drift share",
    "decision",
    "prod AUC",
    "new AUC",
    "Production",
    "seconds",
)


def _console(piped_width: int = PIPED_WIDTH) -> Console:
    """Full-width table in a terminal; a fixed, untruncated width when piped to a file."""
    from rich.console import Console

    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else piped_width)


def _print_batch_table(outcomes: Sequence[BatchOutcome], extra: Sequence[list[str]] = ()) -> None:
    from rich.table import Table

    table = Table(*BATCH_COLUMNS, title="Health Predict — batches")
    for row in [*extra, *_batch_rows(outcomes)]:
        table.add_row(*row)
    _console().print(table)


def _print_experiment_table(result: ExperimentResult) -> None:
    baseline_row = [
        "0",
        "baseline",
        _fmt(0.0, 2),
        "BASELINE",
        _fmt(result.baseline.auc),
        "—",
        result.baseline.model_version,
        _fmt(result.timings.get("baseline"), 1),
    ]
    _print_batch_table(result.batches, [baseline_row])
    steps = ", ".join(
        f"{name} {seconds:.1f} s"
        for name, seconds in result.timings.items()
        if not name.startswith("batch ")
    )
    _console().print(
        f"initial model validation AUC {result.initial.training.validation_auc:.4f}; steps: {steps}"
    )


def _print_replay(result: ReplayResult) -> None:
    from rich.table import Column, Table

    batches = [step.batch for step in result.results[0].steps] if result.results else []
    table = Table(
        Column("policy", no_wrap=True),
        *(f"b{b}" for b in batches),
        "retr.",
        "depl.",
        "mean AUC",
        "worst",
        "train s",
        title=f"What other policies would have done (replay {result.replay_id[:8]}, "
        f"seed {result.seed})",
    )
    marks = {"DEPLOY": "+", "DEPLOY_REFRESH": "+", "SKIP": "x"}
    for policy_result in result.results:
        label = policy_result.policy.label + (" *" if policy_result.configured else "")
        cells = [f"{s.auc.auc:.3f}{marks.get(str(s.decision), '')}" for s in policy_result.steps]
        table.add_row(
            label,
            *cells,
            str(policy_result.n_retrains),
            str(policy_result.n_deploys),
            _fmt(policy_result.mean_auc),
            _fmt(policy_result.worst_auc),
            _fmt(policy_result.training_seconds, 1),
        )
    console = _console(REPLAY_PIPED_WIDTH)
    console.print(table)
    fixed = result.fixed_hyperparameters
    how = (
        "the pipeline's own search"
        if fixed is None
        else "hyper-parameters fixed to the initial search's best ("
        + ", ".join(f"{k} {v}" for k, v in fixed.items())
        + "), early-stopped on each policy's validation data, no refit"
    )
    console.print(
        f"b1-b5: AUC of the model in Production after each batch, on that batch's test split; "
        f"+ retrained and deployed, x retrained but kept Production; * the configured policy. "
        f"Training: {how}. Replay {result.seconds:.1f} s."
    )


# --- Entry point ----------------------------------------------------------------------------
def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_log_redaction()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    handler: Command = args.handler
    try:
        return handler(args)
    except HealthPredictError as error:
        sys.stderr.write(f"error: {redact_text(str(error))}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
