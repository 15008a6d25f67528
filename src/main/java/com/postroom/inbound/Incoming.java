package com.postroom.inbound;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;

import com.postroom.mime.RawMail;

/**
 * One message to ingest: its raw bytes, where it is on the server (absent for webhooks), an external key when the
 * source has a stable id of its own (Postmark's MessageID), when the server received it, its flags.
 */
public record Incoming(RawMail raw, Optional<Location> location, Optional<String> externalKey,
                       Optional<OffsetDateTime> receivedAt, Set<String> flags, boolean junkFolder, String source) {

    /** A message's identity on an IMAP server (RFC 3501 §2.3.1.1). */
    public record Location(long mailboxId, String folder, long uidValidity, long uid) {
    }

    public static Incoming fromImap(RawMail raw, Location location, Optional<OffsetDateTime> receivedAt,
                                    Set<String> flags, boolean junkFolder) {
        return new Incoming(raw, Optional.of(location), Optional.empty(), receivedAt, flags, junkFolder, "imap");
    }
}
