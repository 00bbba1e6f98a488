/**
 * Every term the report uses, explained once in one sentence for a reader who is not a
 * statistician. The page links each use to its entry (`Term`); the glossary section lists them.
 */
export interface GlossaryEntry {
  id: string;
  term: string;
  definition: string;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    id: "auc",
    term: "AUC",
    definition:
      "How well the model ranks patients who were readmitted above those who were not: 1.0 is perfect, 0.5 is no better than guessing.",
  },
  {
    id: "interval",
    term: "95% confidence interval (CI)",
    definition:
      "The range of values the true figure plausibly lies in, given how many patients were scored; a difference whose interval includes 0 is not shown to be real.",
  },
  {
    id: "chance",
    term: "Better / no better than chance",
    definition:
      "Whether an AUC's whole interval lies above 0.5 (better), includes 0.5 (no better than guessing) or lies below it (worse).",
  },
  {
    id: "drift-share",
    term: "Drift share",
    definition:
      "The fraction of the data's columns whose distribution in a new batch differs measurably from the training data.",
  },
  {
    id: "threshold",
    term: "Drift threshold",
    definition: "The drift share at or above which the pipeline retrains (0.30 unless configured).",
  },
  {
    id: "chance-band",
    term: "Expected by chance (shaded band)",
    definition:
      "The drift share the same check reports on random samples of the training period tested against the rest of it: nothing changed there, so this is what chance alone produces. Older runs recorded later rows of the training period instead, which measure drift one period later, not chance; the legend says which.",
  },
  {
    id: "non-inferior",
    term: "Non-inferior (strict gate)",
    definition:
      "The whole 95% interval of new minus Production lies above −0.02: the new model is shown to be at most slightly worse. The strict gate deploys only such a model, and only when its own AUC interval lies above 0.5.",
  },
  {
    id: "production",
    term: "Production",
    definition: "The model version currently used to score patients.",
  },
  {
    id: "candidate",
    term: "New model (candidate)",
    definition:
      "A model retrained on the data so far, which the quality gate compares with Production before it may replace it.",
  },
  {
    id: "never-retrained",
    term: "Never-retrained model",
    definition:
      "The first model, scored on every batch as if no retraining had happened: the yardstick for whether retraining helped.",
  },
  {
    id: "gate",
    term: "Quality gate",
    definition:
      "The rule that deploys a new model when its AUC is at least Production's minus 0.02 on the same test patients.",
  },
  {
    id: "decisions",
    term: "Decisions",
    definition:
      "DEPLOY (the new model is better and replaces Production), DEPLOY_REFRESH (slightly worse but fresher, deployed), SKIP (retrained, Production kept), SKIP_NO_DRIFT (no retraining needed), BASELINE (the starting point).",
  },
  {
    id: "paired",
    term: "Paired comparison (DeLong)",
    definition:
      "Two models compared on the same patients, which cancels the luck of who is in the test set and gives a much tighter interval than comparing two separate scores.",
  },
  {
    id: "holm",
    term: "Holm adjustment",
    definition:
      "A correction for making several comparisons at once, so that one lucky result among many is not reported as a finding: the report says “better” or “worse” only when the adjusted p is below 0.05, otherwise “inconclusive”.",
  },
  {
    id: "inconclusive",
    term: "Inconclusive",
    definition:
      "The interval includes no change: the data cannot tell a gain from a loss, which is a finding, not a failure.",
  },
  {
    id: "forward",
    term: "Forward in time",
    definition:
      "Scoring the model a policy had in Production after one batch on the next batch, as it would meet new patients.",
  },
  {
    id: "calibration",
    term: "Calibration",
    definition:
      "Whether predicted risks match what happened: of patients given 30%, about 30% should be readmitted.",
  },
  {
    id: "brier",
    term: "Brier score",
    definition:
      "The mean squared gap between predicted risk and outcome (0 is perfect; lower is better).",
  },
  {
    id: "ece",
    term: "ECE (expected calibration error)",
    definition:
      "The average gap between predicted and observed readmission rates over ten bins of predicted risk.",
  },
  {
    id: "slope",
    term: "Calibration slope",
    definition:
      "1 when predicted risks are spread just right; above 1 the model is under-confident (risks too close together), below 1 over-confident.",
  },
  {
    id: "policies",
    term: "Retraining policies",
    definition:
      "When to retrain (never, always, on drift, or when AUC drops) and on what (all data so far, the newest batch weighted half, or the last two batches), each replayed on the same batches.",
  },
];

export function glossaryHref(id: string): string {
  return `#glossary-${id}`;
}
