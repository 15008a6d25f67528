package com.postroom.mailbox;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The name an attachment is shown and downloaded under when the mail gave it none: a calendar invitation without a
 * name (Outlook and Google Calendar send them so) is "invite.ics", so that a double click opens the calendar; other
 * parts get "attachment-{id}" with the extension of their type.
 */
final class AttachmentNames {

    private static final Map<String, String> NAMED = Map.of(
            "text/calendar", "invite.ics",
            "application/ics", "invite.ics",
            "message/delivery-status", "delivery-status.txt",
            "message/global-delivery-status", "delivery-status.txt",
            "text/rfc822-headers", "headers.txt");

    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("application/pdf", ".pdf"), Map.entry("image/png", ".png"), Map.entry("image/jpeg", ".jpg"),
            Map.entry("image/gif", ".gif"), Map.entry("image/webp", ".webp"), Map.entry("text/plain", ".txt"),
            Map.entry("text/html", ".html"), Map.entry("text/csv", ".csv"), Map.entry("application/zip", ".zip"),
            Map.entry("application/msword", ".doc"), Map.entry("application/vnd.ms-excel", ".xls"),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
            Map.entry("message/rfc822", ".eml"), Map.entry("application/ms-tnef", ".dat"));

    private AttachmentNames() {
    }

    static String orDefault(String filename, String contentType, UUID id) {
        if (filename != null && !filename.isBlank()) {
            return com.postroom.mime.DisplayNames.safe(filename); // also stored before names were made safe
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
        return NAMED.getOrDefault(type, "attachment-" + id + EXTENSIONS.getOrDefault(type, ""));
    }
}
