package com.postroom.outbound;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Concurrent sends accepted together, as a database commits its log: each request hands its draft here and waits;
 * the first waiting request that finds no group being written takes every draft waiting (up to {@link #MAX_GROUP})
 * and writes them through {@link SendingCore#queueAll}, one transaction per organization. Under load one
 * transaction, one statement per table and one WAL flush serve many requests; a request alone is a group of one and
 * waits for nothing. The answer is the same as {@link SendingCore#queue}'s: a message is durable when it returns.
 *
 * <p>Only for a send that is the caller's only write: the group is written in a transaction of its own, so a caller
 * that must write something else atomically with the message (an idempotency record) uses the core directly.
 */
@Service
public class GroupedSends {

    /** Enough to carry a burst; small enough that no request waits behind a long transaction. */
    static final int MAX_GROUP = 64;

    private final SendingCore core;
    private final TransactionTemplate tx;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean writing;

    GroupedSends(SendingCore core, PlatformTransactionManager transactions) {
        this.core = core;
        this.tx = new TransactionTemplate(transactions);
    }

    /** Queued, or the refusal thrown as {@link SendingCore#queue} throws it. */
    public SendingCore.Queued queue(OutboundDraft draft) {
        SendingCore.Outcome outcome = submit(draft);
        if (outcome.refusal() != null) {
            throw outcome.refusal();
        }
        return outcome.queued();
    }

    /** The draft's outcome once its group is committed; an unexpected failure of the write is rethrown. */
    public SendingCore.Outcome submit(OutboundDraft draft) {
        Pending mine = new Pending(draft);
        synchronized (this) {
            waiting.add(mine);
        }
        while (true) {
            List<Pending> group = new ArrayList<>();
            synchronized (this) {
                while (!mine.done && writing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while the message was being accepted", e);
                    }
                }
                if (mine.done) {
                    return mine.result();
                }
                writing = true;
                while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
                    group.add(waiting.poll());
                }
            }
            try {
                write(group);
            } finally {
                synchronized (this) {
                    writing = false;
                    notifyAll();
                }
            }
        }
    }

    /**
     * Writes these drafts as one group now, each answered by its outcome or the failure it met. For tests: which
     * concurrent requests share a group depends on timing.
     */
    List<Object> writeAsOneGroup(List<OutboundDraft> drafts) {
        List<Pending> group = drafts.stream().map(Pending::new).toList();
        write(group);
        return group.stream().map(p -> p.failure != null ? (Object) p.failure : p.outcome).toList();
    }

    private void write(List<Pending> group) {
        Map<Long, List<Pending>> byOrg = new LinkedHashMap<>();
        group.forEach(p -> byOrg.computeIfAbsent(p.draft.orgId(), o -> new ArrayList<>()).add(p));
        for (List<Pending> one : byOrg.values()) {
            try {
                List<SendingCore.Outcome> outcomes = tx.execute(s -> core.queueAll(one.stream()
                        .map(p -> p.draft).toList()));
                for (int i = 0; i < one.size(); i++) {
                    one.get(i).finish(outcomes.get(i), null);
                }
            } catch (RuntimeException e) {
                if (one.size() == 1) {
                    one.get(0).finish(null, e);
                    continue;
                }
                // Not a refusal (those are outcomes) but a failed write: each draft alone, so that only the one
                // that caused it fails, and the others are accepted as if they had come one at a time.
                for (Pending p : one) {
                    try {
                        p.finish(tx.execute(s -> core.queueAll(List.of(p.draft))).get(0), null);
                    } catch (RuntimeException alone) {
                        p.finish(null, alone);
                    }
                }
            }
        }
    }

    /** A draft waiting for its group; written and read under the monitor of {@link GroupedSends}. */
    private final class Pending {
        private final OutboundDraft draft;
        private SendingCore.Outcome outcome;
        private RuntimeException failure;
        private boolean done;

        Pending(OutboundDraft draft) {
            this.draft = draft;
        }

        void finish(SendingCore.Outcome outcome, RuntimeException failure) {
            synchronized (GroupedSends.this) {
                this.outcome = outcome;
                this.failure = failure;
                this.done = true;
            }
        }

        SendingCore.Outcome result() {
            if (failure != null) {
                throw failure;
            }
            return outcome;
        }
    }
}
