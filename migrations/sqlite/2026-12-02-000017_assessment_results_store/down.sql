DROP INDEX assessment_results_entered_by_idx;
CREATE INDEX assessment_results_entered_by_idx ON assessment_results (entered_by);
CREATE INDEX assessment_results_municipality_idx ON assessment_results (municipality, period, latest);
