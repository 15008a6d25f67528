-- The search document of a message: the one place its trigger function is written. Migrations 3, 6 and 12 built it
-- up (each restating the whole function); Flyway runs this file after them, and again whenever it changes, so a
-- change to how messages are indexed is made here and nowhere else. A change that needs existing documents rebuilt
-- also raises search_config.doc_version in a versioned migration (SearchLanguage rebuilds them in the background).
CREATE OR REPLACE FUNCTION email_message_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg    regconfig := current_search_config();
    people TEXT;
    spaced TEXT;
    -- Mail a Postmark server sends without its text in search (postmark_server.search_bodies, migration 42): found
    -- by subject, people and attachment names only.
    text_searched BOOLEAN := NEW.meta #>> '{postmark,search_body}' IS DISTINCT FROM 'false';
BEGIN
    -- Mail accepted for sending (a new row with the status 'queued': only outbound.SendingCore writes those) is
    -- stored without its documents, so it is accepted at once; search.SearchIndexer writes them within a second (rows
    -- whose search_words is NULL are the pending ones, migration 27). Only a new row is deferred: an edit is indexed
    -- as it is written.
    IF TG_OP = 'INSERT' AND NEW.status = 'queued' THEN
        NEW.search_doc := NULL;
        NEW.subject_doc := NULL;
        NEW.search_words := NULL;
        RETURN NEW;
    END IF;
    people := concat_ws(' ', NEW.sender, array_to_string(NEW.recipients, ' '), array_to_string(NEW.cc, ' '),
                        NEW.meta ->> 'from_name');
    -- The names with their punctuation blanked, so that "alice.archer@clinic.example" is also its words.
    spaced := translate(people, '@._-+<>', '       ');
    -- Text that is not HTML has its angle brackets blanked first: PostgreSQL's parser reads "<script>" in a plain
    -- text as the start of a script element and would skip everything after it. The body's are blanked with
    -- replace(), which finds them with a byte search; translate() looks at every character (3-4% of the work of
    -- storing received mail, bench/db/store_cost.sh).
    NEW.subject_doc := to_tsvector(cfg, translate(coalesce(NEW.subject, ''), '<>', '  '));
    -- The full document goes into search_words, inline (migration 34); search_doc is only read on rows written
    -- before it.
    NEW.search_doc := NULL;
    NEW.search_words :=
        setweight(NEW.subject_doc, 'A') ||
        setweight(to_tsvector('simple', translate(people, '<>', '  ') || ' ' || spaced)
                  || to_tsvector(cfg, spaced), 'B') ||
        setweight(to_tsvector(cfg, translate(coalesce(NEW.attachment_names, ''), '<>', '  ') || ' '
                                   || translate(coalesce(NEW.attachment_names, ''), '._-<>', '     ')), 'B') ||
        CASE WHEN text_searched
             THEN setweight(to_tsvector(cfg, CASE WHEN NEW.body_plain <> ''
                                             THEN replace(replace(left(NEW.body_plain, 200000), '<', ' '), '>', ' ')
                                             ELSE coalesce(left(NEW.body_html, 200000), '') END), 'D')
             ELSE ''::tsvector END;
    RETURN NEW;
END
$$;
