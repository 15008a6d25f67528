package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/** Group commit on its own: every caller answered with its own result, once, and a bad item fails alone. */
class GroupCommitTest {

    /** Counts commits and rollbacks; the writer's work is the "transaction". */
    static final class Transactions implements PlatformTransactionManager {
        int commits;
        int rollbacks;

        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
            return new SimpleTransactionStatus();
        }

        @Override
        public synchronized void commit(TransactionStatus status) {
            commits++;
        }

        @Override
        public synchronized void rollback(TransactionStatus status) {
            rollbacks++;
        }
    }

    @Test
    void concurrentCallersShareTransactionsAndEachGetsItsOwnResultOnce() throws Exception {
        Transactions transactions = new Transactions();
        List<Integer> written = Collections.synchronizedList(new ArrayList<>());
        List<Integer> groupSizes = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Integer, String> group = new GroupCommit<>(new TransactionTemplate(transactions), 8, items -> {
            groupSizes.add(items.size());
            written.addAll(items);
            try {
                Thread.sleep(5); // a transaction takes time; callers arriving meanwhile wait for the next group
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return items.stream().map(i -> "result " + i).toList();
        });
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                answers.add(pool.submit(() -> group.submit(n)));
            }
            for (int i = 0; i < 400; i++) {
                assertThat(answers.get(i).get()).isEqualTo("result " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(written).hasSize(400).doesNotHaveDuplicates();
        assertThat(groupSizes).allMatch(size -> size <= 8);
        assertThat(transactions.commits).isEqualTo(groupSizes.size()).isLessThan(400);
    }

    @Test
    void aGroupThatFailsIsWrittenItemByItemSoOnlyTheCulpritFails() {
        Transactions transactions = new Transactions();
        GroupCommit<String, String> group = new GroupCommit<>(new TransactionTemplate(transactions), 8, items -> {
            if (items.contains("bad")) {
                throw new IllegalArgumentException("bad item");
            }
            return items.stream().map(String::toUpperCase).toList();
        });
        List<Object> results = group.writeAsOneGroup(List.of("a", "bad", "c"));
        assertThat(results.get(0)).isEqualTo("A");
        assertThat(results.get(1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(results.get(2)).isEqualTo("C");
        assertThat(transactions.rollbacks).isEqualTo(2); // the group, then "bad" alone
        assertThatThrownBy(() -> group.submit("bad")).hasMessage("bad item");
        assertThat(group.submit("alone")).isEqualTo("ALONE");
    }
}
