package com.postroom.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A message's RFC 822 bytes: for received mail the verbatim copy in {@code message_raw} (1 MB chunks, each kept
 * compressed by {@link RawChunks}, read one at a time so a 50 MB message never sits in memory), for mail Postroom sent
 * the exact MIME in the outbox.
 */
@Repository
public class RawStore {

    private final JdbcClient jdbc;

    RawStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The size in bytes, or empty when the message has no raw form (a blocked send never got one). */
    public Optional<Long> size(UUID id) {
        long stored = jdbc.sql("SELECT coalesce(sum(coalesce(plain_size, octet_length(data))), -1) FROM message_raw "
                        + "WHERE message_id = ?")
                .param(id).query(Long.class).single();
        if (stored >= 0) {
            return Optional.of(stored);
        }
        return jdbc.sql("SELECT octet_length(mime)::bigint FROM outbox WHERE message_id = ?").param(id)
                .query(Long.class).optional();
    }

    public void copyTo(UUID id, OutputStream out) throws IOException {
        boolean any = false;
        for (int seq = 0; ; seq++) {
            List<byte[]> chunk = jdbc.sql("SELECT data, plain_size FROM message_raw WHERE message_id = ? AND seq = ?")
                    .params(id, seq)
                    .query((rs, n) -> RawChunks.unpack(rs.getBytes(1), (Integer) rs.getObject(2, Integer.class)))
                    .list();
            if (chunk.isEmpty()) {
                break;
            }
            any = true;
            out.write(chunk.get(0));
        }
        if (!any) {
            Optional<byte[]> mime = jdbc.sql("SELECT mime FROM outbox WHERE message_id = ?").param(id)
                    .query(byte[].class).optional();
            if (mime.isPresent()) {
                out.write(mime.get());
            }
        }
        out.flush();
    }

    /** The raw message in a temporary file, for parsing a part out of it without holding it whole. */
    public Path toTempFile(UUID id) throws IOException {
        Path file = Files.createTempFile("postroom-raw-", ".eml");
        try (OutputStream out = Files.newOutputStream(file)) {
            copyTo(id, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }
}
