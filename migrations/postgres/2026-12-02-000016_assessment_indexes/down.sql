DROP INDEX assessment_results_supersede_idx;
DROP INDEX requests_created_idx;
DROP INDEX request_events_status_idx;
DROP INDEX plan_events_status_idx;
DROP INDEX plans_assessment_idx;
