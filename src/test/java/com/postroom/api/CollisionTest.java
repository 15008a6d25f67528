package com.postroom.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.support.SandboxTest;

/**
 * Two changes to the same rows that meet in a deadlock: PostgreSQL undoes one, which reaches the handlers as Spring's
 * locking failure, and its caller gets a 409 that says to try again instead of a 500.
 */
@SandboxTest
class CollisionTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;

    @Test
    void aDeadlockIsALockingFailureAndItsCallerIsToldToTryAgain() throws Exception {
        jdbc.sql("CREATE TABLE IF NOT EXISTS collision_test (id INT PRIMARY KEY)").update();
        jdbc.sql("INSERT INTO collision_test VALUES (1), (2) ON CONFLICT DO NOTHING").update();
        // Each locks one row, then waits for the other's: PostgreSQL undoes one of them.
        CyclicBarrier bothLocked = new CyclicBarrier(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Object>> runs = new ArrayList<>();
            for (int[] order : new int[][] {{1, 2}, {2, 1}}) {
                runs.add(two.submit(() -> {
                    try {
                        tx.executeWithoutResult(s -> {
                            lock(order[0]);
                            await(bothLocked);
                            lock(order[1]);
                        });
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> run : runs) {
                outcomes.add(run.get());
            }
            assertThat(outcomes).filteredOn(o -> o != null).singleElement()
                    .isInstanceOf(PessimisticLockingFailureException.class);
        } finally {
            two.shutdownNow();
        }
        ResponseEntity<Object> answer = new ApiErrorHandler().collided(
                new PessimisticLockingFailureException("deadlock detected"));
        assertThat(answer.getStatusCode().value()).isEqualTo(409);
        assertThat(answer.getBody()).isInstanceOfSatisfying(Map.class, body -> assertThat(body.get("detail"))
                .isEqualTo("Another change to the same mail was being saved at that moment, so nothing was changed. "
                        + "Try again."));
    }

    private void lock(int id) {
        jdbc.sql("SELECT id FROM collision_test WHERE id = ? FOR UPDATE").param(id).query(Integer.class).single();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
