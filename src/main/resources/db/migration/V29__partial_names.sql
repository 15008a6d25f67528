-- Part of a name or address in from:, to:, cc: and filename: ("from:garc", "filename:remit") through a trigram index
-- (pg_trgm). The search document holds whole words only, so before this such a search found nothing.
--
-- pg_trgm ships with PostgreSQL's contrib modules: the embedded PostgreSQL has it, an external server needs its
-- contrib package (postgresql-contrib on Debian before 15; part of the server package since). It is a trusted
-- extension, so the database's owner may create it. Where it is missing, this migration leaves the index out and
-- Postroom matches whole words of names and addresses only, as before (search.MailSearch logs it at the first search);
-- installing the package and running docs/deploy.md's two statements adds it later.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%): partial names in searches will not be indexed', SQLERRM;
END
$$;

-- Every name, address and file name of a message in one lower-case text: one index serves from:, to:, cc: and
-- filename:, and the search checks the field itself afterwards (so "from:alice" never matches mail to alice).
-- array_to_string is only STABLE (for some element types its output depends on settings), so the index needs this
-- IMMUTABLE wrapper; over text arrays it is immutable.
CREATE FUNCTION email_message_names(sender TEXT, from_name TEXT, recipients TEXT[], cc TEXT[], files TEXT)
    RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(concat_ws(' ', sender, from_name, array_to_string(recipients, ' '), array_to_string(cc, ' '), files)) $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX email_message_names ON email_message USING gin '
             || '(email_message_names(sender, meta ->> ''from_name'', recipients, cc, attachment_names) gin_trgm_ops)';
    END IF;
END
$$;

-- Statistics on the new expression at once: without them PostgreSQL guessed that "to:" an address on every message
-- was selective and read every message through this index (830 ms at 100,000 instead of 35).
ANALYZE email_message;
