package com.postroom.outbound;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit, as a database does for its log: each caller hands its item over and waits; the first waiting caller
 * that finds no group being written takes every item waiting (up to a limit) and writes them all in one
 * transaction. Under load one transaction, one commit and fewer concurrent transactions serve many callers (on two
 * cores PostgreSQL spends more per transaction the more of them run at once); a caller alone is a group of one and
 * waits for nothing. Every caller returns only after its own item is committed, so what a caller knows to be durable
 * is exactly what it would know without the grouping.
 *
 * <p>If a group's write fails, each of its items is written again alone, so that only the item that caused the
 * failure fails (and a caller is never told "failed" for an item that another item broke).
 */
final class GroupCommit<T, R> {

    private final TransactionTemplate tx;
    private final int maxGroup;
    private final Function<List<T>, List<R>> writer;
    private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>();
    private boolean writing;

    /** {@code writer} answers one result per item, in order, inside the group's transaction. */
    GroupCommit(TransactionTemplate tx, int maxGroup, Function<List<T>, List<R>> writer) {
        this.tx = tx;
        this.maxGroup = maxGroup;
        this.writer = writer;
    }

    /** The item's result once its group is committed; a failure of its own write is rethrown. */
    R submit(T item) {
        Pending<T, R> mine = new Pending<>(item);
        synchronized (this) {
            waiting.add(mine);
        }
        while (true) {
            List<Pending<T, R>> group = new ArrayList<>();
            synchronized (this) {
                while (!mine.done && writing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for a group commit", e);
                    }
                }
                if (mine.done) {
                    return mine.result();
                }
                writing = true;
                while (!waiting.isEmpty() && group.size() < maxGroup) {
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
     * Writes these items as one group now, each answered by its result or the failure it met. For tests: which
     * concurrent callers share a group depends on timing.
     */
    List<Object> writeAsOneGroup(List<T> items) {
        List<Pending<T, R>> group = items.stream().map(Pending<T, R>::new).toList();
        write(group);
        return group.stream().map(p -> p.failure != null ? (Object) p.failure : p.result).toList();
    }

    private void write(List<Pending<T, R>> group) {
        try {
            List<R> results = tx.execute(s -> writer.apply(group.stream().map(p -> p.item).toList()));
            for (int i = 0; i < group.size(); i++) {
                finish(group.get(i), results.get(i), null);
            }
        } catch (RuntimeException e) {
            if (group.size() == 1) {
                finish(group.get(0), null, e);
                return;
            }
            for (Pending<T, R> p : group) {
                try {
                    finish(p, tx.execute(s -> writer.apply(List.of(p.item))).get(0), null);
                } catch (RuntimeException alone) {
                    finish(p, null, alone);
                }
            }
        }
    }

    private synchronized void finish(Pending<T, R> p, R result, RuntimeException failure) {
        p.result = result;
        p.failure = failure;
        p.done = true;
    }

    /** An item waiting for its group; its fields are written and read under the monitor of the GroupCommit. */
    private static final class Pending<T, R> {
        private final T item;
        private R result;
        private RuntimeException failure;
        private boolean done;

        Pending(T item) {
            this.item = item;
        }

        R result() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }
}
