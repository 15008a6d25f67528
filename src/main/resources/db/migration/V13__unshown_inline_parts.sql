-- A part with a Content-ID was stored as inline (shown inside the HTML, left out of the attachment list) even when the
-- HTML never shows it: a photo in a plain-text mail from Apple Mail or a phone, or HTML that references another id.
-- Such a part was shown nowhere. Since this version the parser lists it as an attachment (MailParser.shownOrAttached);
-- this does the same for mail stored before: inline parts whose cid: the message's HTML does not contain become
-- attachments, their messages have attachments and carry the 'attachments' label. Only inline parts are looked at
-- (a few per hundred messages), so this is quick.
CREATE TEMPORARY TABLE unshown_inline ON COMMIT DROP AS
SELECT a.id, a.message_id, a.org_id
FROM email_attachment a JOIN email_message m ON m.id = a.message_id
WHERE a.inline AND a.content_id IS NOT NULL
  AND strpos(lower(coalesce(m.body_html, '')), 'cid:' || lower(a.content_id)) = 0;

UPDATE email_attachment SET inline = false WHERE id IN (SELECT id FROM unshown_inline);

UPDATE email_message SET has_attachments = true
WHERE id IN (SELECT message_id FROM unshown_inline) AND NOT has_attachments;

INSERT INTO email_label (org_id, name, slug)
SELECT DISTINCT org_id, 'Attachments', 'attachments' FROM unshown_inline
ON CONFLICT (org_id, slug) DO NOTHING;

INSERT INTO email_message_label (message_id, label_id)
SELECT DISTINCT u.message_id, l.id FROM unshown_inline u JOIN email_label l ON l.org_id = u.org_id AND l.slug = 'attachments'
ON CONFLICT DO NOTHING;
