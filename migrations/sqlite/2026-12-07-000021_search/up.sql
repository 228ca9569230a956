-- Search (issue 23): one FTS5 index over what staff look records up by:
-- case and agreement numbers, titles, organizations' names and numbers.
-- Kept by triggers, so every write path updates it; diacritics are folded
-- ("przystan" finds "Przystań"). Residents are searched in their table.
CREATE VIRTUAL TABLE search_terms USING fts5(
    kind UNINDEXED,
    ref_id UNINDEXED,
    municipality UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'request', id, municipality, requests.case_number FROM requests;
CREATE TRIGGER search_requests_insert AFTER INSERT ON requests BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('request', NEW.id, NEW.municipality, NEW.case_number);
END;
CREATE TRIGGER search_requests_update AFTER UPDATE OF case_number ON requests BEGIN
    DELETE FROM search_terms WHERE kind = 'request' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('request', NEW.id, NEW.municipality, NEW.case_number);
END;
CREATE TRIGGER search_requests_delete AFTER DELETE ON requests BEGIN
    DELETE FROM search_terms WHERE kind = 'request' AND ref_id = OLD.id;
END;

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'agreement', id, municipality, agreements.number || ' ' || agreements.title FROM agreements;
CREATE TRIGGER search_agreements_insert AFTER INSERT ON agreements BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('agreement', NEW.id, NEW.municipality, NEW.number || ' ' || NEW.title);
END;
CREATE TRIGGER search_agreements_update AFTER UPDATE OF number, title ON agreements BEGIN
    DELETE FROM search_terms WHERE kind = 'agreement' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('agreement', NEW.id, NEW.municipality, NEW.number || ' ' || NEW.title);
END;
CREATE TRIGGER search_agreements_delete AFTER DELETE ON agreements BEGIN
    DELETE FROM search_terms WHERE kind = 'agreement' AND ref_id = OLD.id;
END;

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'competition', id, municipality, competitions.title FROM competitions;
CREATE TRIGGER search_competitions_insert AFTER INSERT ON competitions BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('competition', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_competitions_update AFTER UPDATE OF title ON competitions BEGIN
    DELETE FROM search_terms WHERE kind = 'competition' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('competition', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_competitions_delete AFTER DELETE ON competitions BEGIN
    DELETE FROM search_terms WHERE kind = 'competition' AND ref_id = OLD.id;
END;

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'program', id, municipality, programs.title FROM programs;
CREATE TRIGGER search_programs_insert AFTER INSERT ON programs BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('program', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_programs_update AFTER UPDATE OF title ON programs BEGIN
    DELETE FROM search_terms WHERE kind = 'program' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('program', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_programs_delete AFTER DELETE ON programs BEGIN
    DELETE FROM search_terms WHERE kind = 'program' AND ref_id = OLD.id;
END;

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'social_program', id, municipality, social_programs.title FROM social_programs;
CREATE TRIGGER search_social_programs_insert AFTER INSERT ON social_programs BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('social_program', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_social_programs_update AFTER UPDATE OF title ON social_programs BEGIN
    DELETE FROM search_terms WHERE kind = 'social_program' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('social_program', NEW.id, NEW.municipality, NEW.title);
END;
CREATE TRIGGER search_social_programs_delete AFTER DELETE ON social_programs BEGIN
    DELETE FROM search_terms WHERE kind = 'social_program' AND ref_id = OLD.id;
END;

INSERT INTO search_terms (kind, ref_id, municipality, body)
    SELECT 'organization', id, municipality, organizations.name || ' ' || coalesce(organizations.krs, '') || ' ' || organizations.nip FROM organizations;
CREATE TRIGGER search_organizations_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('organization', NEW.id, NEW.municipality, NEW.name || ' ' || coalesce(NEW.krs, '') || ' ' || NEW.nip);
END;
CREATE TRIGGER search_organizations_update AFTER UPDATE OF name, krs, nip ON organizations BEGIN
    DELETE FROM search_terms WHERE kind = 'organization' AND ref_id = OLD.id;
    INSERT INTO search_terms (kind, ref_id, municipality, body) VALUES ('organization', NEW.id, NEW.municipality, NEW.name || ' ' || coalesce(NEW.krs, '') || ' ' || NEW.nip);
END;
CREATE TRIGGER search_organizations_delete AFTER DELETE ON organizations BEGIN
    DELETE FROM search_terms WHERE kind = 'organization' AND ref_id = OLD.id;
END;
