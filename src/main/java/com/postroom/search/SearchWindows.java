package com.postroom.search;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The newest part of an organization's mail that a search looks at first. A search shows the newest matches (and
 * ranks the newest {@link MailSearch#RANK_WINDOW}); when its words are in thousands of messages, PostgreSQL read every
 * match through the full-text index and sorted them by date to keep the newest (from: a common name and a word: 1,900
 * messages read for 150, 108 ms at 100,000). Limited to the newest 20,000 messages first, it reads the matches among
 * those (410 of them, 28 ms); only when those are too few does it look further. The answer is the same: the newest N
 * matches of the mailbox are the newest N of any newest part that holds N of them.
 *
 * <p>Each step is where the organization's mail is that many messages deep, by date; found by walking the date index
 * and kept for an hour (mail that arrives meanwhile only makes the first step slightly larger).
 */
final class SearchWindows {

    /** How many of the newest messages each step covers; the last step is all of them. */
    static final List<Integer> STEPS = List.of(20_000, 200_000);
    /** Mail that arrives meanwhile only makes the first step a little deeper (an hour of a busy office's mail). */
    private static final Duration KEPT = Duration.ofHours(1);

    private record Known(List<OffsetDateTime> since, long at) {
    }

    private final JdbcClient jdbc;
    private final List<Integer> steps;
    private final Map<Long, Known> known = new ConcurrentHashMap<>();

    SearchWindows(JdbcClient jdbc, List<Integer> steps) {
        this.jdbc = jdbc;
        this.steps = List.copyOf(steps);
    }

    /**
     * Where each step starts (newest first: the smallest step first), then empty for all the mail. An organization
     * with less mail than a step has only "all".
     */
    List<Optional<OffsetDateTime>> of(long orgId) {
        Known k = known.get(orgId);
        if (k == null || System.nanoTime() - k.at() > KEPT.toNanos()) {
            List<OffsetDateTime> since = new ArrayList<>();
            for (int depth : steps) {
                // Deleted mail is counted too: read from the date index alone, without each message's row (200,000
                // deep at 1,000,000 messages: 0.14 s against 1.0 s, 4.4 s from disk); a step's depth only needs to be
                // about right, as the answer is the same at any depth.
                Optional<OffsetDateTime> start = jdbc.sql("SELECT created_at FROM email_message WHERE org_id = ? "
                                + "ORDER BY created_at DESC OFFSET ? LIMIT 1")
                        .params(orgId, depth).query(OffsetDateTime.class).optional();
                if (start.isEmpty()) {
                    break;
                }
                since.add(start.get());
            }
            k = new Known(List.copyOf(since), System.nanoTime());
            known.put(orgId, k);
        }
        List<Optional<OffsetDateTime>> out = new ArrayList<>();
        k.since().forEach(s -> out.add(Optional.of(s)));
        out.add(Optional.empty());
        return out;
    }
}
