package com.postroom.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Supplier;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.problem.Problem;

import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} on send routes. The key is recorded in the same transaction as the send, so either both
 * commit or neither: a replay of the same key and body gets the first answer and sends nothing; the same key with
 * another body is a 409. A concurrent duplicate waits on the key's row until the first commits, then replays it.
 * Failed requests (4xx) roll back and leave the key unused.
 */
@Service
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 255;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    Idempotency(JdbcClient jdbc, TransactionTemplate tx, JsonMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    public ResponseEntity<Object> run(long orgId, String route, String key, Object request,
                                      Supplier<ResponseEntity<Object>> action) {
        if (key == null) {
            return tx.execute(s -> action.get());
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw Problem.badInput("Idempotency-Key must be 1 to 255 printable ASCII characters without "
                    + "spaces.");
        }
        byte[] hash = sha256(route + "\n" + json.writeValueAsString(request));
        return tx.execute(s -> {
            int inserted = jdbc.sql("INSERT INTO idempotency_record (org_id, route, idem_key, request_hash) "
                            + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(orgId, route, key, hash).update();
            if (inserted == 0) {
                return replay(orgId, route, key, hash);
            }
            ResponseEntity<Object> response = action.get();
            jdbc.sql("UPDATE idempotency_record SET status_code = ?, response_body = ? WHERE org_id = ? AND route = ? "
                            + "AND idem_key = ?")
                    .params(response.getStatusCode().value(), json.writeValueAsString(response.getBody()), orgId,
                            route, key)
                    .update();
            return response;
        });
    }

    private ResponseEntity<Object> replay(long orgId, String route, String key, byte[] hash) {
        record Stored(byte[] requestHash, Integer statusCode, String responseBody) {
        }
        Stored stored = jdbc.sql("SELECT request_hash AS requestHash, status_code AS statusCode, "
                        + "response_body AS responseBody FROM idempotency_record "
                        + "WHERE org_id = ? AND route = ? AND idem_key = ?")
                .params(orgId, route, key).query(Stored.class).single();
        if (!Arrays.equals(stored.requestHash(), hash)) {
            throw Problem.conflict("This Idempotency-Key was already used with a different "
                    + "request body; use a new key for a new message.");
        }
        return ResponseEntity.status(stored.statusCode()).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotent-Replayed", "true")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(json.readTree(stored.responseBody()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
