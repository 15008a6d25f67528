package com.postroom.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;

/**
 * Postroom as a newcomer runs it: embedded PostgreSQL, the sandbox mail server (GreenMail on free loopback ports),
 * the demo organization. One Spring context shared by every class that uses this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/sandbox-${random.uuid}",
        "SANDBOX_SMTP_PORT=0", "SANDBOX_IMAP_PORT=0",
        "POSTROOM_ADMIN_PASSWORD=" + SandboxTest.ADMIN_PASSWORD,
        "OUTBOX_RETRY_BASE_DELAY=200ms", "OUTBOX_POLL_INTERVAL=200ms",
        "CONTACT_LIMIT_PER_HOUR=5",
        // No DNS leaves the machine: the doctor's questions go to a closed loopback port and fail at once.
        "DNS_RESOLVER=127.0.0.1:9",
        "UNDO_SEND_WINDOW=2s",
        // Where recipients would reach Postroom: statements carry one-click unsubscribe links to it.
        "POSTROOM_PUBLIC_URL=https://mail.postroom.test",
        // Tests register mailboxes they sync on demand, without a watcher; they are not "stale" in a test run.
        "IMAP_STALE_AFTER=2h"})
public @interface SandboxTest {
    String ADMIN = "founder@postroom.test";
    String ADMIN_PASSWORD = "sandbox-admin-password-for-tests";
}
