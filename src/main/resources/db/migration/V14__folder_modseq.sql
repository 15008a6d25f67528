-- The folder's highest mod-sequence (RFC 7162 CONDSTORE) as of Postroom's last mirror of its flags. With it, a sync
-- asks the server only for the messages whose flags changed since (UID FETCH ... (CHANGEDSINCE n)) instead of the
-- flags of every message in the folder on every sync (100,000 flags for a large INBOX, at each new mail). NULL: not
-- known yet, or the server has no CONDSTORE; then every flag is read, as before.
ALTER TABLE mailbox_folder ADD COLUMN highest_modseq BIGINT;
