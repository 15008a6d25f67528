-- Keep a message's small fields in the row itself. A message row is bigger than PostgreSQL's 2 kB TOAST target once
-- its inline word list is there (migration 6), so PostgreSQL moved every other compressible field out to the TOAST
-- table, the sender, recipients and meta of a few dozen bytes included. A search that walks messages testing
-- from:, to:, cc: or filename: then fetched each of them from the TOAST table for every row: on 100,000 messages,
-- testing the sender of every message read 260,000 pages (605 ms) where the rows alone are 42,000 (169 ms).
-- MAIN keeps them inline (compressed if need be) and moves them out only when a row would not fit in a page at all;
-- the bodies and the full search document stay out of line.
--
-- This changes how new and updated rows are stored; rows written before it keep their layout until the table is
-- rewritten (docs/deploy.md: VACUUM FULL email_message, 20 s per 100,000 messages here).
ALTER TABLE email_message
    ALTER COLUMN sender SET STORAGE MAIN,
    ALTER COLUMN recipients SET STORAGE MAIN,
    ALTER COLUMN cc SET STORAGE MAIN,
    ALTER COLUMN bcc SET STORAGE MAIN,
    ALTER COLUMN reply_to SET STORAGE MAIN,
    ALTER COLUMN subject SET STORAGE MAIN,
    ALTER COLUMN subject_doc SET STORAGE MAIN,
    ALTER COLUMN meta SET STORAGE MAIN,
    ALTER COLUMN attachment_names SET STORAGE MAIN,
    ALTER COLUMN status SET STORAGE MAIN,
    ALTER COLUMN direction SET STORAGE MAIN,
    ALTER COLUMN classification SET STORAGE MAIN,
    ALTER COLUMN folder SET STORAGE MAIN,
    ALTER COLUMN folder_before SET STORAGE MAIN,
    ALTER COLUMN quarantine_reason SET STORAGE MAIN,
    ALTER COLUMN message_id SET STORAGE MAIN,
    ALTER COLUMN in_reply_to SET STORAGE MAIN,
    ALTER COLUMN content_key SET STORAGE MAIN;
