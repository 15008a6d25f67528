package com.postroom.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class KeysTest {

    private static final String SECRET = "s".repeat(40);

    /** HMAC-SHA256 under HMAC-SHA256(secret, purpose), as the key derivation was written before the MACs were kept. */
    private static byte[] expected(String purpose, byte[] input) throws Exception {
        Mac derive = Mac.getInstance("HmacSHA256");
        derive.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(derive.doFinal(purpose.getBytes(StandardCharsets.UTF_8)), "HmacSHA256"));
        return mac.doFinal(input);
    }

    /** Message-IDs already sent are recognised by their tags: the kept MACs must give the same bytes, on any thread. */
    @Test
    void theKeptMacsGiveWhatADerivedKeyGivesOnEveryThread() throws Exception {
        Keys keys = new Keys(PostroomSettings.read(new Env(new MockEnvironment()
                .withProperty("POSTROOM_SECRET_KEY", SECRET))));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                checks.add(pool.submit((Callable<Boolean>) () -> {
                    for (int i = 0; i < 2_000; i++) {
                        String purpose = i % 2 == 0 ? "message-id" : "unsubscribe";
                        byte[] input = ("input " + thread + "." + i).getBytes(StandardCharsets.UTF_8);
                        if (!java.util.Arrays.equals(keys.hmac(purpose, input), expected(purpose, input))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> check : checks) {
                assertThat(check.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }
}
