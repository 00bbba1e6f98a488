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
export type RefreshResponse = Schemas["RefreshResponse"];
export type BaselineResponse = Schemas["BaselineResponse"];
export type Decision = Schemas["Decision"];
export type PoliciesResponse = Schemas["PoliciesResponse"];
export type PolicyResult = Schemas["PolicyResult"];
export type PolicyBatch = Schemas["PolicyBatch"];
