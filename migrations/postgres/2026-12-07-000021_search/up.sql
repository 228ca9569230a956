-- Search (issue 23): full-text indexes over what staff look records up
-- by, in the 'simple' configuration (PostgreSQL ships no Polish one; a
-- deployment that installs one is used by the query, without these indexes).
-- Punctuation becomes spaces so that a case number's parts are words.
CREATE INDEX requests_search_idx ON requests USING GIN (to_tsvector('simple', regexp_replace(case_number, '[^[:alnum:]]+', ' ', 'g')));
CREATE INDEX agreements_search_idx ON agreements USING GIN (to_tsvector('simple', regexp_replace(number || ' ' || title, '[^[:alnum:]]+', ' ', 'g')));
CREATE INDEX competitions_search_idx ON competitions USING GIN (to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')));
CREATE INDEX programs_search_idx ON programs USING GIN (to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')));
CREATE INDEX social_programs_search_idx ON social_programs USING GIN (to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')));
CREATE INDEX organizations_search_idx ON organizations USING GIN (to_tsvector('simple', regexp_replace(name || ' ' || coalesce(krs, '') || ' ' || nip, '[^[:alnum:]]+', ' ', 'g')));
