/** Named aliases for the API's JSON shapes, generated from backend/schemas.py. */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Summary = Schemas["Summary"];
export type BatchesResponse = Schemas["BatchesResponse"];
export type BatchResult = Schemas["BatchResult"];
export type DriftResult = Schemas["DriftResult"];
export type DriftedColumn = Schemas["DriftedColumn"];
export type ModelScores = Schemas["ModelScores"];
export type RocResponse = Schemas["RocResponse"];
export type RocCurve = Schemas["RocCurve"];
export type ReportConfig = Schemas["ReportConfig"];
export type Provenance = Schemas["Provenance"];
export type RunProvenance = Schemas["RunProvenance"];
export type RefreshResponse = Schemas["RefreshResponse"];
export type BaselineResponse = Schemas["BaselineResponse"];
export type Decision = Schemas["Decision"];
export type CalibrationResponse = Schemas["CalibrationResponse"];
export type ReliabilityCurve = Schemas["ReliabilityCurve"];
export type Calibration = Schemas["Calibration"];
export type CalibrationVerdict = NonNullable<Calibration["verdict"]>;
export type AucDifference = Schemas["AucDifference"];
export type GateComparison = Schemas["GateComparison"];
export type AucOnTestSet = Schemas["AucOnTestSet"];
export type ChanceBand = Schemas["ChanceBand"];
export type AlarmOutcome = Schemas["AlarmOutcome"];
export type AucChange = Schemas["AucChange"];
export type PoliciesResponse = Schemas["PoliciesResponse"];
export type PolicyResult = Schemas["PolicyResult"];
export type PolicyBatch = Schemas["PolicyBatch"];
