package com.postroom.search;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.config.PostroomSettings;
import com.postroom.store.MessageStates;

/**
 * Writes the search documents of messages stored without them (outgoing mail is accepted without waiting for its
 * index; see {@code store.Messages#insertOutboundAll}). It looks four times a second and works through what it finds
 * in batches, so such mail is searchable within about a second of being stored. Nothing is
 * lost across a restart: a pending message is simply one whose document is missing, and the next start (or another
 * instance) writes it.
 */
@Component
public class SearchIndexer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);
    static final int BATCH = 500;
    static final long IDLE_MILLIS = 250;

    private final MessageStates states;
    private final TransactionTemplate tx;
    private final boolean enabled;
    private volatile boolean running;
    private Thread thread;

    SearchIndexer(MessageStates states, TransactionTemplate tx, PostroomSettings settings) {
        this.states = states;
        this.tx = tx;
        this.enabled = settings.runsBackgroundWork();
    }

    static final long WAIT_MILLIS = 10_000;

    /**
     * Writes every pending document now, in batches; how many it wrote. On return every message pending at the call
     * is searchable: rows the background indexer (or another instance) holds are skipped by {@link #indexAvailable},
     * so it then waits, up to ten seconds, until no row is pending, writing whatever appears meanwhile.
     */
    public int indexAll() {
        int done = indexAvailable();
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (states.anyPendingIndex() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            done += indexAvailable();
        }
        return done;
    }

    /** Writes the pending documents no other transaction holds, in batches; how many. */
    int indexAvailable() {
        int done = 0;
        int n;
        do {
            n = tx.execute(s -> states.indexPending(BATCH));
            done += n;
        } while (n == BATCH);
        return done;
    }

    @Override
    public void start() {
        if (!enabled || running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "postroom-search-indexer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                indexAvailable();
            } catch (RuntimeException e) {
                log.warn("Could not write pending search documents; trying again: {}", e.getMessage());
            }
            try {
                Thread.sleep(IDLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            // It sleeps at most IDLE_MILLIS between batches; it is not interrupted in the middle of a statement.
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
