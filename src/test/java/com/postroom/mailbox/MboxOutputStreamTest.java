package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

class MboxOutputStreamTest {

    @Test
    void quotesFromLinesTheMboxrdWayAndSeparatesMessages() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MboxOutputStream mbox = new MboxOutputStream(bytes)) {
            mbox.startMessage("a@example.org", OffsetDateTime.parse("2026-11-24T09:05:03Z"));
            mbox.write("Subject: x\r\n\r\nFrom me\r\n>From you\r\nFrom\r\nFro\r\n From not at start\r\n>>From deep"
                    .getBytes(StandardCharsets.US_ASCII));
            mbox.endMessage();
            mbox.startMessage(null, OffsetDateTime.parse("2026-11-24T10:00:00Z"));
            mbox.write("From: b@example.org\n\nbody\n".getBytes(StandardCharsets.US_ASCII));
            mbox.endMessage();
        }
        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(
                "From a@example.org Tue Nov 24 09:05:03 2026\n"
                        + "Subject: x\r\n\r\n>From me\r\n>>From you\r\nFrom\r\nFro\r\n From not at start\r\n>>>From deep\n\n"
                        + "From MAILER-DAEMON Tue Nov 24 10:00:00 2026\n"
                        + "From: b@example.org\n\nbody\n\n");
    }
}
