-- Every organization starts with the original platform's retention policies, so recent mail cannot be deleted
-- (DELETE /api/email/messages/{id} answers 423 until the period has run out): operational mail and the founder's
-- correspondence 2 years, billing 7 years (the usual term for billing records), legal 10 years. An admin changes
-- or removes them with /api/retention-policies. Existing organizations get them too, where they set none of their own.
CREATE FUNCTION postroom_seed_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO retention_policy (org_id, classification, retain_days)
    SELECT NEW.id, r.classification, r.retain_days
    FROM (VALUES ('ops', 730), ('founder_comm', 730), ('billing', 2557), ('legal', 3652))
         AS r (classification, retain_days)
    ON CONFLICT (org_id, classification) DO NOTHING;
    RETURN NEW;
END $$;

CREATE TRIGGER organization_retention AFTER INSERT ON organization
    FOR EACH ROW EXECUTE FUNCTION postroom_seed_retention();

INSERT INTO retention_policy (org_id, classification, retain_days)
SELECT o.id, r.classification, r.retain_days
FROM organization o,
     (VALUES ('ops', 730), ('founder_comm', 730), ('billing', 2557), ('legal', 3652)) AS r (classification, retain_days)
WHERE NOT EXISTS (SELECT 1 FROM retention_policy p WHERE p.org_id = o.id)
ON CONFLICT (org_id, classification) DO NOTHING;
