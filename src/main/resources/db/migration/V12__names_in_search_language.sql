-- People's names are also indexed in the search language. They were indexed with the 'simple' configuration only
-- (unstemmed, so that addresses and their parts match exactly), while a query's plain words are stemmed by the search
-- language: "Jones" became 'jone', "Alice" 'alic', "Harris" 'harri', "Williams" 'william', none of which is in the
-- 'simple' part, so a search for a sender's name found their mail only where the body happened to name them. Both
-- forms are now in the document (weight B, as before).
--
-- Existing messages keep their old document until Postroom rebuilds it in the background at start (SearchLanguage,
-- by doc_version; search keeps working meanwhile, names of not yet rebuilt messages as before).
ALTER TABLE search_config ADD COLUMN doc_version INT NOT NULL DEFAULT 1;

CREATE OR REPLACE FUNCTION email_message_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg    regconfig := current_search_config();
    people TEXT;
BEGIN
    people := concat_ws(' ', NEW.sender, array_to_string(NEW.recipients, ' '), array_to_string(NEW.cc, ' '),
                        NEW.meta ->> 'from_name');
    -- Text that is not HTML has its angle brackets blanked first: PostgreSQL's parser reads "<script>" in a plain
    -- text as the start of a script element and would skip everything after it.
    NEW.subject_doc := to_tsvector(cfg, translate(coalesce(NEW.subject, ''), '<>', '  '));
    NEW.search_doc :=
        setweight(NEW.subject_doc, 'A') ||
        setweight(to_tsvector('simple', translate(people, '<>', '  ') || ' ' || translate(people, '@._-+<>', '       '))
                  || to_tsvector(cfg, translate(people, '@._-+<>', '       ')), 'B') ||
        setweight(to_tsvector(cfg, translate(NEW.attachment_names, '<>', '  ') || ' '
                                   || translate(NEW.attachment_names, '._-<>', '     ')), 'B') ||
        setweight(to_tsvector(cfg, CASE WHEN NEW.body_plain <> '' THEN translate(left(NEW.body_plain, 200000), '<>', '  ')
                                        ELSE left(NEW.body_html, 200000) END), 'D');
    NEW.search_words := strip(NEW.search_doc);
    RETURN NEW;
END
$$;
