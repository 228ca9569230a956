DROP INDEX requests_search_idx;
DROP INDEX agreements_search_idx;
DROP INDEX competitions_search_idx;
DROP INDEX programs_search_idx;
DROP INDEX social_programs_search_idx;
DROP INDEX organizations_search_idx;
