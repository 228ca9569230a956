-- Issue 8: a run stores its figures as one row per (run, indicator, subject
-- type), the figures packed as JSON, instead of one row per figure. A run
-- over a deployment computes ~100,000 figures (~99,000 of them about
-- agreements); on PostgreSQL, which checks foreign keys row by row, storing
-- them one row each cost 4.3 s of the run (BENCHMARKS.md). A run replaces
-- the whole (municipality, indicator, period) at once, so a set is exactly
-- what `latest` marks. Results entered by staff, and the computed results
-- of earlier builds, stay in assessment_results and are read alongside.
-- Kept in step with the other tree.

-- A set's municipality is its run's: the composite key pins it.
CREATE UNIQUE INDEX assessment_runs_id_municipality_idx ON assessment_runs (id, municipality);

-- `figures`: a JSON array of [subject_id, value_centi or null, suppressed,
-- inputs], one per subject, in the order the formula gave them.
CREATE TABLE assessment_result_sets (
    run_id TEXT NOT NULL,
    indicator TEXT NOT NULL REFERENCES indicators (code),
    subject_type TEXT NOT NULL,
    municipality TEXT NOT NULL,
    period TEXT NOT NULL,
    latest BOOLEAN NOT NULL,
    figures TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, indicator, subject_type),
    FOREIGN KEY (run_id, municipality) REFERENCES assessment_runs (id, municipality)
);
-- A run's sets of one indicator become history (supersede); a
-- municipality's latest sets (agreement page, corrective actions).
CREATE INDEX assessment_result_sets_supersede_idx ON assessment_result_sets (municipality, indicator, period, latest);
-- Every municipality's latest set of an indicator and period (benchmarks).
CREATE INDEX assessment_result_sets_lookup_idx ON assessment_result_sets (indicator, period, subject_type, latest);
