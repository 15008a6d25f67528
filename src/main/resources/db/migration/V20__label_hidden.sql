-- A label can be hidden from the sidebar's list (the label manager in Settings); it still labels mail, shows as a chip
-- and is offered by "Label as".
ALTER TABLE email_label ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT false;
