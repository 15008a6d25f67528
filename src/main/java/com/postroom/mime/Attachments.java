package com.postroom.mime;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Attachments of a stored message, in the shape of ORIGINAL-API.md. */
@Repository
public class Attachments {

    private final JdbcClient jdbc;

    Attachments(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Map<String, Object>> of(long orgId, UUID messageId) {
        return jdbc.sql("SELECT id, message_id, filename, content_type, size_bytes, sha256, content_id, inline, "
                        + "created_at FROM email_attachment WHERE message_id = ? AND org_id = ? ORDER BY part_path")
                .params(messageId, orgId).query().listOfRows();
    }
}
