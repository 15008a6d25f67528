package com.postroom.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.mail.Identities;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

/**
 * A large group of outgoing mail is accepted without waiting for its search documents: the search says how many are
 * still being indexed, and the indexer writes them within seconds, also when it starts only later (a restart loses
 * nothing: a pending message is one without its documents). A small group is searchable at once.
 */
@SandboxTest
class SearchIndexerTest {

    @LocalServerPort
    int port;
    @Autowired
    SendingCore core;
    @Autowired
    SearchIndexer indexer;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    com.postroom.org.Organizations organizations;

    Api api;
    long org;

    @BeforeEach
    void setUp() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        org = organizations.primary().orElseThrow().id();
    }

    /**
     * Sent to an address of its own: mail to one of the sandbox's synced mailboxes (billing@, say) comes back in as
     * received mail with the same words, and would be found twice once that mailbox is watched.
     */
    private List<SendingCore.Outcome> queue(String word, int count) {
        List<OutboundDraft> drafts = IntStream.range(0, count).mapToObj(i -> OutboundDraft.builder(org,
                Identities.Flow.NOREPLY).to(List.of("reader-" + word + "@example.test")).subject("Indexing " + i)
                .text("The word " + word + " is in message " + i + ".").sentCopy(false).build()).toList();
        return tx.execute(s -> core.queueAll(drafts));
    }

    private Api.Response search(String word) {
        return api.get("/api/mail/search?q=" + word + "&limit=200");
    }

    @Test
    void aLargeBatchIsSearchableWithinSecondsAndTheSearchSaysWhatIsStillBeingIndexed() {
        String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        int count = 60;
        indexer.stop(); // as if Postroom stopped right after accepting the batch
        try {
            assertThat(queue(word, count)).allMatch(o -> o.refusal() == null);
            Api.Response before = search(word);
            assertThat(before.status()).isEqualTo(200);
            assertThat(before.body().at("/results").size()).isZero();
            assertThat(before.body().at("/indexing").asLong()).isGreaterThanOrEqualTo(count);
        } finally {
            indexer.start();
        }
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> search(word).body().at("/results").size() == count);
        assertThat(search(word).body().at("/indexing").asLong()).isZero();
        System.out.printf("%d messages searchable %d ms after the indexer started%n", count,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aSingleSendIsSearchableWithinASecond() {
        String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        long stored = System.nanoTime();
        assertThat(queue(word, 1)).allMatch(o -> o.refusal() == null);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> search(word).body().at("/results").size() == 1);
        long ms = (System.nanoTime() - stored) / 1_000_000;
        assertThat(ms).as("searchable after %d ms", ms).isLessThan(1000);
    }
}
