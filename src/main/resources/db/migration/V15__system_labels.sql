-- The labels inbound mail is given by its meaning (inbound.Classifier.SYSTEM_LABELS) exist from an organization's
-- creation. Before, the first messages of a new organization created them inside their ingest transactions, and
-- several mailbox watchers raced to do so: a label id remembered from a transaction that rolled back wedged ingest.
CREATE FUNCTION postroom_seed_system_labels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO email_label (org_id, name, slug)
    SELECT NEW.id, l.name, l.slug
    FROM (VALUES ('Billing', 'billing'), ('Legal', 'legal'), ('Ocr', 'ocr'), ('Compliance', 'compliance'),
                 ('Attachments', 'attachments'), ('Spam', 'spam'), ('Auto Reply', 'auto-reply')) AS l (name, slug)
    ON CONFLICT (org_id, slug) DO NOTHING;
    RETURN NEW;
END $$;

CREATE TRIGGER organization_system_labels AFTER INSERT ON organization
    FOR EACH ROW EXECUTE FUNCTION postroom_seed_system_labels();

INSERT INTO email_label (org_id, name, slug)
SELECT o.id, l.name, l.slug
FROM organization o,
     (VALUES ('Billing', 'billing'), ('Legal', 'legal'), ('Ocr', 'ocr'), ('Compliance', 'compliance'),
             ('Attachments', 'attachments'), ('Spam', 'spam'), ('Auto Reply', 'auto-reply')) AS l (name, slug)
ON CONFLICT (org_id, slug) DO NOTHING;
