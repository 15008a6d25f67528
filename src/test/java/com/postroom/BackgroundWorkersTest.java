package com.postroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.InboundSync;
import com.postroom.mail.Identities;
import com.postroom.org.Organizations;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;

/**
 * One setting turns every background worker off (POSTROOM_BACKGROUND_WORKERS=false: an instance that only serves the
 * API and the UI, or a one-shot command): mail is still accepted into the outbox but left for another instance, and
 * no IMAP watcher runs; an on-demand poll still works.
 */
class BackgroundWorkersTest {

    @Test
    void anInstanceWithoutBackgroundWorkersQueuesMailButLeavesDeliveryAndWatchingToOthers() throws Exception {
        SpringApplication app = new SpringApplication(PostroomApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of("POSTROOM_BACKGROUND_WORKERS", "false",
                "POSTROOM_DATA_DIR", "target/test-data/workers-" + UUID.randomUUID(),
                "SANDBOX_SMTP_PORT", "0", "SANDBOX_IMAP_PORT", "0", "logging.level.root", "WARN"));
        try (ConfigurableApplicationContext context = app.run()) {
            long orgId = context.getBean(Organizations.class).primary().orElseThrow().id();
            UUID id = context.getBean(SendingCore.class).queue(OutboundDraft.builder(orgId, Identities.Flow.GENERIC)
                    .to(List.of("patient@postroom.test")).subject("Queued here, sent elsewhere").text("Hello")
                    .build()).message().id();
            Thread.sleep(3000); // delivery workers poll every second and are woken by a send
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            assertThat(jdbc.sql("SELECT status || '/' || attempts FROM outbox WHERE message_id = ?").param(id)
                    .query(String.class).single()).isEqualTo("queued/0");
            // No watcher synced the sandbox's mailboxes; asked, this instance syncs them at once.
            String synced = "SELECT count(*) FROM mailbox_folder f JOIN mailbox b ON b.id = f.mailbox_id "
                    + "WHERE b.org_id = ? AND f.last_sync_at IS NOT NULL";
            assertThat(jdbc.sql(synced).param(orgId).query(Long.class).single()).isZero();
            assertThat(context.getBean(InboundSync.class).syncNow(orgId)).isNotEmpty();
            assertThat(jdbc.sql(synced).param(orgId).query(Long.class).single()).isPositive();
        }
    }
}
