-- Issue 8: covering indexes for the assessment's formulas (measured over a
-- synthetic deployment, BENCHMARKS.md). Kept in step with the other tree.
--
-- A municipality's plans with every column the formulas read (deadline,
-- review, closing outcome, recipients), so a run reads no plan rows.
CREATE INDEX plans_assessment_idx ON plans (municipality, approved_at, application_date, review_date, id, outcome, resident_id);
-- Closings and reviews of a plan; first routing of a request.
CREATE INDEX plan_events_status_idx ON plan_events (plan_id, to_status, at);
CREATE INDEX request_events_status_idx ON request_events (request_id, status, at);
-- Requests filed in a period.
CREATE INDEX requests_created_idx ON requests (municipality, created_at, id);
-- A run's results of one indicator become history (supersede) by these.
CREATE INDEX assessment_results_supersede_idx ON assessment_results (municipality, indicator, period, latest);
