-- Issue 8: fewer index entries per stored result (a run over a deployment
-- stores ~100,000 rows; every index on assessment_results is written for
-- each of them). Kept in step with the other tree.
--
-- (municipality, period, latest) only ever served its leading column, which
-- assessment_results_supersede_idx (municipality, indicator, period, latest)
-- leads as well.
DROP INDEX assessment_results_municipality_idx;
-- Only results entered by staff have entered_by; computed ones (nearly all
-- rows) need no entry. `entered_by = ?` (the foreign key's lookups) implies
-- the predicate, so the partial index still serves them.
DROP INDEX assessment_results_entered_by_idx;
CREATE INDEX assessment_results_entered_by_idx ON assessment_results (entered_by) WHERE entered_by IS NOT NULL;
